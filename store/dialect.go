package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// dialect holds what truly differs between the two engines. Nothing else in
// the package branches on the engine.
type dialect interface {
	name() string
	// translate maps driver errors to the package's sentinels.
	translate(err error) error
	// lockMigrations serialises migrations between processes sharing the database.
	lockMigrations(ctx context.Context, conn *sqlx.Conn) (unlock func(), err error)
	// indexDocument refreshes a document's full-text entry inside tx.
	indexDocument(ctx context.Context, tx *sqlx.Tx, id int64, title, body string) error
	// searchDocuments ranks documents matching every token (the last as a prefix) under w.
	searchDocuments(ctx context.Context, s *Store, tokens []string, w where, limit int) ([]SearchHit, error)
	// searchInRow reports that a post's words are columns of its own row
	// (Postgres's generated tsvector), to be written with it; otherwise
	// indexPost enters them in an index of their own.
	searchInRow() bool
	// indexPost refreshes a post's full-text entry inside tx.
	indexPost(ctx context.Context, tx *sqlx.Tx, id int64, title, body string) error
	// searchSpans are where a forum search for tokens looks in turn, given
	// the newest post's id: the newest posts first, all posts last.
	searchSpans(ctx context.Context, s *Store, tokens []string, newest int64) ([]searchSpan, error)
	// searchPosts ranks the newest searchCandidates posts in span matching
	// every token under w (which may use p. and t.), and answers the best
	// limit, each with the number of candidates ranked.
	searchPosts(ctx context.Context, s *Store, tokens []string, w where, span searchSpan, limit int) ([]rankedHit, error)
	// threadTagsJSON is a column of thread t's tags as a JSON array, so
	// that a thread comes with its tags in one statement.
	threadTagsJSON() string
	// numberEvents gives each event (of distinct topics, sorted in topics)
	// the next seq of its topic and stores it, inside the caller's
	// transaction; it answers each topic's row id and seq.
	numberEvents(ctx context.Context, s *Store, q querier, evs []LiveEvent, topics []string) (map[string]numberedEvent, error)
	// notify runs st: makes the notifications, queues the mail of those
	// that leave at once, and answers each with its owner's unread count.
	notify(ctx context.Context, s *Store, tx *sqlx.Tx, st notifyStatement) ([]madeNotification, error)
	// createPost is CreatePost: the reply, its notifications and its live
	// events, written together in as few round trips as the engine allows.
	createPost(ctx context.Context, s *Store, np NewPost) (*CommittedPost, error)
}

type postgresDialect struct{}

func (postgresDialect) name() string { return "postgres" }

func (postgresDialect) translate(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	var pqErr *pq.Error
	if errors.As(err, &pqErr) {
		switch pqErr.Code {
		case "23505":
			return errors.Join(ErrConflict, err)
		case "23503":
			return errors.Join(ErrMissingReference, err)
		}
	}
	return err
}

// The advisory lock key is derived from the schema so that test schemas in
// one database do not wait for each other, while two instances sharing a
// schema do.
func (postgresDialect) lockMigrations(ctx context.Context, conn *sqlx.Conn) (func(), error) {
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(hashtext('ideasx-migrate:' || current_schema()))`); err != nil {
		return nil, err
	}
	return func() {
		_, _ = conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock(hashtext('ideasx-migrate:' || current_schema()))`)
	}, nil
}

type sqliteDialect struct{}

func (sqliteDialect) name() string { return "sqlite" }

func (sqliteDialect) translate(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		switch sqErr.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return errors.Join(ErrConflict, err)
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return errors.Join(ErrMissingReference, err)
		}
	}
	return err
}

// SQLite transactions are opened with _txlock=immediate, which already takes
// the file's write lock; nothing more is needed.
func (sqliteDialect) lockMigrations(context.Context, *sqlx.Conn) (func(), error) {
	return func() {}, nil
}

// searchSelect is what both engines return for a search hit.
const searchSelect = `SELECT ` + documentColumns + `, d.summary AS search_text`

func (postgresDialect) indexDocument(context.Context, *sqlx.Tx, int64, string, string) error {
	return nil // search_vector is a generated column
}

func (postgresDialect) searchDocuments(ctx context.Context, s *Store, tokens []string, w where, limit int) ([]SearchHit, error) {
	// Tokens hold only letters and digits after folding, so they are safe in tsquery syntax.
	query := strings.Join(tokens, " & ") + ":*"
	w.add(`d.search_vector @@ to_tsquery('simple', ?)`, query)
	cond, args := w.sql()
	var hits []SearchHit
	err := s.selectAll(ctx, s.db, &hits, searchSelect+`, ts_rank(d.search_vector, to_tsquery('simple', ?)) AS rank
		FROM documents d`+cond+` ORDER BY rank DESC, d.doc_date DESC, d.id DESC LIMIT ?`, append([]any{query}, append(args, limit)...)...)
	return hits, err
}

func (sqliteDialect) indexDocument(ctx context.Context, tx *sqlx.Tx, id int64, title, body string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM documents_fts WHERE rowid = ?`, id); err != nil {
		return fmt.Errorf("index document: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO documents_fts (rowid, title, body) VALUES (?, ?, ?)`, id, title, body); err != nil {
		return fmt.Errorf("index document: %w", err)
	}
	return nil
}

func (sqliteDialect) searchDocuments(ctx context.Context, s *Store, tokens []string, w where, limit int) ([]SearchHit, error) {
	w.add(`documents_fts MATCH ?`, ftsMatch(tokens))
	cond, args := w.sql()
	var hits []SearchHit
	// bm25 is lower for better matches; negated so that both engines sort by rank descending.
	err := s.selectAll(ctx, s.db, &hits, searchSelect+`, -bm25(documents_fts, 10.0, 1.0) AS rank
		FROM documents_fts JOIN documents d ON d.id = documents_fts.rowid`+cond+` ORDER BY rank DESC, d.doc_date DESC, d.id DESC LIMIT ?`,
		append(args, limit)...)
	return hits, err
}

// searchCandidates bounds the posts a forum search ranks: the newest this
// many that match and may be shown. Ranking every match made a common word
// cost seconds on a million posts; a word in more than this many posts
// finds the best of the recent ones, which is what a reader of a working
// group's forum is after. (See README, "Search at scale".)
var searchCandidates = 2000

// postSearchColumns are what both engines return for a forum hit, besides
// its rank and the number of candidates it was ranked among.
const postSearchColumns = `p.id AS post_id, p.body, t.id AS thread_id, t.title, t.theme_id, t.kind, t.status, t.attribution, t.last_post_at`

func (postgresDialect) searchInRow() bool { return true }

// postgresTSQuery is the to_tsquery text of a search: every word, the last
// one as a prefix.
func postgresTSQuery(tokens []string) string { return strings.Join(tokens, " & ") + ":*" }

func (postgresDialect) threadTagsJSON() string {
	return `COALESCE((SELECT json_agg(tag) FROM thread_tags WHERE thread_id = t.id), '[]') AS tags_json`
}

func (postgresDialect) indexPost(ctx context.Context, tx *sqlx.Tx, id int64, title, body string) error {
	if _, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE posts SET search_title = ?, search_body = ? WHERE id = ?`), title, body, id); err != nil {
		return fmt.Errorf("index post: %w", err)
	}
	return nil
}

func (postgresDialect) searchPosts(ctx context.Context, s *Store, tokens []string, w where, span searchSpan, limit int) ([]rankedHit, error) {
	query := postgresTSQuery(tokens)
	if len(span.stretches) > 0 {
		// Inside the tsquery, so that the GIN index alone finds the matches in the span.
		w.add(`p.search_vector @@ (to_tsquery('simple', ?) && CAST(? AS tsquery))`, query, stretchQuery(span.stretches))
	} else {
		w.add(`p.search_vector @@ to_tsquery('simple', ?)`, query)
	}
	cond, args := w.sql()
	var hits []rankedHit
	// Ranked as they are found, from the row already read; only the best
	// limit are read again for their text.
	err := s.selectPlanned(ctx, s.db, &hits, `SELECT c.candidates, c.rank, `+postSearchColumns+`
		FROM (SELECT n.id, n.rank, count(*) OVER () AS candidates
			FROM (SELECT p.id, ts_rank(p.search_vector, to_tsquery('simple', ?)) AS rank
				FROM posts p JOIN threads t ON t.id = p.thread_id`+cond+` ORDER BY p.id DESC LIMIT ?) n
			ORDER BY n.rank DESC, n.id DESC LIMIT ?) c
		JOIN posts p ON p.id = c.id JOIN threads t ON t.id = p.thread_id ORDER BY c.rank DESC, p.id DESC`,
		append([]any{query}, append(args, searchCandidates, limit)...)...)
	return hits, err
}

func (sqliteDialect) searchInRow() bool { return false }

func (sqliteDialect) threadTagsJSON() string {
	return `(SELECT json_group_array(tag) FROM thread_tags WHERE thread_id = t.id) AS tags_json`
}

func (sqliteDialect) indexPost(ctx context.Context, tx *sqlx.Tx, id int64, title, body string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM posts_fts WHERE rowid = ?`, id); err != nil {
		return fmt.Errorf("index post: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO posts_fts (rowid, title, body) VALUES (?, ?, ?)`, id, title, body); err != nil {
		return fmt.Errorf("index post: %w", err)
	}
	return nil
}

func (sqliteDialect) searchPosts(ctx context.Context, s *Store, tokens []string, w where, span searchSpan, limit int) ([]rankedHit, error) {
	w.add(`posts_fts MATCH ?`, ftsMatch(tokens))
	if span.after > 0 {
		// On the index's own rowid, which FTS5 seeks to.
		w.add(`posts_fts.rowid > ?`, span.after)
	}
	cond, args := w.sql()
	var hits []rankedHit
	// As on Postgres, only the best limit are read again for their text.
	err := s.selectAll(ctx, s.db, &hits, `SELECT c.candidates, c.rank, `+postSearchColumns+`
		FROM (SELECT n.id, n.rank, count(*) OVER () AS candidates
			FROM (SELECT posts_fts.rowid AS id, -bm25(posts_fts, 10.0, 1.0) AS rank
				FROM posts_fts JOIN posts p ON p.id = posts_fts.rowid JOIN threads t ON t.id = p.thread_id`+cond+`
				ORDER BY posts_fts.rowid DESC LIMIT ?) n
			ORDER BY n.rank DESC, n.id DESC LIMIT ?) c
		JOIN posts p ON p.id = c.id JOIN threads t ON t.id = p.thread_id ORDER BY c.rank DESC, p.id DESC`,
		append(args, searchCandidates, limit)...)
	return hits, err
}
