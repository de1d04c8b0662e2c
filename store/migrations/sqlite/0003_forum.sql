-- The members-only forum: themes, threads (challenges and discussions),
-- posts with revisions, reactions, flags, read positions, watches, and the
-- per-topic event log that live clients catch up from.
CREATE TABLE themes (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name_en TEXT NOT NULL,
    name_fr TEXT NOT NULL,
    name_es TEXT NOT NULL,
    description_en TEXT NOT NULL DEFAULT '',
    description_fr TEXT NOT NULL DEFAULT '',
    description_es TEXT NOT NULL DEFAULT '',
    position INTEGER NOT NULL DEFAULT 0,
    archived INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE threads (
    id INTEGER PRIMARY KEY,
    theme_id INTEGER NOT NULL REFERENCES themes (id),
    kind TEXT NOT NULL CHECK (kind IN ('challenge', 'discussion')),
    title TEXT NOT NULL,
    author_id INTEGER NOT NULL REFERENCES users (id),
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    attribution TEXT NOT NULL CHECK (attribution IN ('record', 'personal', 'chatham')),
    status TEXT NOT NULL DEFAULT '' CHECK (status IN ('', 'open', 'answered', 'referred', 'closed')),
    pinned INTEGER NOT NULL DEFAULT 0,
    locked INTEGER NOT NULL DEFAULT 0,
    hidden INTEGER NOT NULL DEFAULT 0,
    post_count INTEGER NOT NULL DEFAULT 0,
    view_count INTEGER NOT NULL DEFAULT 0,
    accepted_post_id INTEGER,
    last_post_id INTEGER,
    last_post_at TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
-- Keyset paging: each list walks one of these in order.
CREATE INDEX threads_latest_idx ON threads (last_post_at, id);
CREATE INDEX threads_theme_idx ON threads (theme_id, last_post_at, id);
CREATE INDEX threads_kind_status_idx ON threads (kind, status, last_post_at, id);
CREATE INDEX threads_author_idx ON threads (author_id, last_post_at, id);

CREATE TABLE thread_tags (
    thread_id INTEGER NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    PRIMARY KEY (thread_id, tag)
);

CREATE TABLE posts (
    id INTEGER PRIMARY KEY,
    thread_id INTEGER NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
    author_id INTEGER NOT NULL REFERENCES users (id),
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    body TEXT NOT NULL,
    html TEXT NOT NULL,
    quote_post_id INTEGER REFERENCES posts (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    edited_at TIMESTAMP,
    deleted_at TIMESTAMP,
    deleted_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    hidden_at TIMESTAMP,
    hidden_by INTEGER REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX posts_thread_idx ON posts (thread_id, id);
CREATE INDEX posts_author_idx ON posts (author_id, id);

CREATE TABLE post_revisions (
    id INTEGER PRIMARY KEY,
    post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    body TEXT NOT NULL,
    editor_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX post_revisions_post_idx ON post_revisions (post_id, id);

CREATE TABLE reactions (
    post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('useful')),
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (post_id, user_id, kind)
);

CREATE TABLE thread_status_changes (
    id INTEGER PRIMARY KEY,
    thread_id INTEGER NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
    from_status TEXT NOT NULL,
    to_status TEXT NOT NULL,
    actor_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    note TEXT NOT NULL DEFAULT '',
    event_id INTEGER REFERENCES events (id) ON DELETE SET NULL,
    document_id INTEGER REFERENCES documents (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX thread_status_changes_thread_idx ON thread_status_changes (thread_id, id);

-- A person's read position in a thread: posts after it are unread.
CREATE TABLE thread_reads (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    thread_id INTEGER NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
    last_read_post_id INTEGER NOT NULL,
    read_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, thread_id)
);

-- Which organisations have read a thread, for a challenge's coverage.
CREATE TABLE thread_org_reads (
    thread_id INTEGER NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
    organisation_id INTEGER NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    first_read_at TIMESTAMP NOT NULL,
    PRIMARY KEY (thread_id, organisation_id)
);

CREATE TABLE watches (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    target_type TEXT NOT NULL CHECK (target_type IN ('thread', 'theme')),
    target_id INTEGER NOT NULL,
    level TEXT NOT NULL CHECK (level IN ('watch', 'mute')),
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, target_type, target_id)
);
CREATE INDEX watches_target_idx ON watches (target_type, target_id);

CREATE TABLE flags (
    id INTEGER PRIMARY KEY,
    post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    reporter_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    reason TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    resolved_at TIMESTAMP,
    resolved_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    resolution TEXT NOT NULL DEFAULT ''
);
CREATE INDEX flags_open_idx ON flags (resolved_at, created_at);

-- Live updates: every change a client may see is an event, written in the
-- transaction of the change with the next sequence number of its topic.
CREATE TABLE topic_seqs (
    topic TEXT PRIMARY KEY,
    last_seq INTEGER NOT NULL
);

CREATE TABLE live_events (
    id INTEGER PRIMARY KEY,
    topic TEXT NOT NULL,
    seq INTEGER NOT NULL,
    type TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (topic, seq)
);
CREATE INDEX live_events_created_idx ON live_events (created_at);

INSERT INTO themes (slug, name_en, name_fr, name_es, description_en, description_fr, description_es, position, created_at) VALUES
('access-to-information', 'Access to information', 'Accès à l''information', 'Acceso a la información',
 'Finding the rules, procedures and fees that apply to a trade.', 'Trouver les règles, procédures et redevances applicables à une opération.', 'Encontrar las normas, los procedimientos y las tasas aplicables.', 10, strftime('%Y-%m-%d %H:%M:%S+00:00', 'now')),
('trade-finance', 'Trade finance', 'Financement du commerce', 'Financiación del comercio',
 'Letters of credit, guarantees, payment terms and access to credit.', 'Lettres de crédit, garanties, conditions de paiement et accès au crédit.', 'Cartas de crédito, garantías, condiciones de pago y acceso al crédito.', 20, strftime('%Y-%m-%d %H:%M:%S+00:00', 'now')),
('trade-facilitation', 'Trade facilitation and customs', 'Facilitation des échanges et douanes', 'Facilitación del comercio y aduanas',
 'Border procedures, documents, delays and costs.', 'Procédures aux frontières, documents, délais et coûts.', 'Procedimientos en frontera, documentos, demoras y costos.', 30, strftime('%Y-%m-%d %H:%M:%S+00:00', 'now')),
('e-commerce', 'E-commerce and digitalisation', 'Commerce électronique et numérisation', 'Comercio electrónico y digitalización',
 'Selling online, digital payments, platforms and data.', 'Vendre en ligne, paiements numériques, plateformes et données.', 'Venta en línea, pagos digitales, plataformas y datos.', 40, strftime('%Y-%m-%d %H:%M:%S+00:00', 'now')),
('rules-of-origin', 'Rules of origin', 'Règles d''origine', 'Normas de origen',
 'Proving where goods come from, and the certificates it takes.', 'Prouver l''origine des marchandises, et les certificats que cela demande.', 'Demostrar el origen de las mercancías y los certificados que exige.', 50, strftime('%Y-%m-%d %H:%M:%S+00:00', 'now')),
('cybersecurity', 'Cybersecurity', 'Cybersécurité', 'Ciberseguridad',
 'Protecting a small business and its customers online.', 'Protéger une petite entreprise et ses clients en ligne.', 'Proteger a una pequeña empresa y a sus clientes en línea.', 60, strftime('%Y-%m-%d %H:%M:%S+00:00', 'now')),
('skills', 'Skills and capacity building', 'Compétences et renforcement des capacités', 'Competencias y creación de capacidad',
 'Training, advice and the know-how to export.', 'Formation, conseil et savoir-faire pour exporter.', 'Formación, asesoramiento y conocimientos para exportar.', 70, strftime('%Y-%m-%d %H:%M:%S+00:00', 'now')),
('logistics', 'Logistics', 'Logistique', 'Logística',
 'Shipping, small parcels, warehousing and delivery.', 'Transport, petits colis, entreposage et livraison.', 'Transporte, pequeños paquetes, almacenamiento y entrega.', 80, strftime('%Y-%m-%d %H:%M:%S+00:00', 'now'));
