package store

import (
	"context"
	"fmt"
	"net/url"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
)

// replyPool is the few Postgres connections that write replies (the one
// statement of post_reply.go), apart from the main pool.
//
// Planning that statement takes Postgres about 5 ms, against 0.1 ms to
// run its cached plan. In the main pool Postgres plans a prepared
// statement afresh for its first five runs on each connection before it
// settles on the cached plan, and it does it again on every connection
// opened later (the pool opens up to twenty, and closes idle ones): in a
// measured run the first replies after a start took 20 ms where the rest
// took 3 ms, and delayed every live message behind them. Here the plan is
// the cached one from the first run (plan_cache_mode force_generic_plan,
// the plan Postgres chose by itself after five runs), the connections are
// kept however idle, and Warm runs the statement on them before the
// instance serves. The main pool keeps Postgres's own choice, which the
// searches need (selectPlanned).
type replyPool struct {
	db    *sqlx.DB
	stmts stmtCache
}

// replyConns is how many replies may be written at once; more wait for
// a connection. Replies to one thread queue on its row anyway.
const replyConns = 4

func openReplyPool(dsn string) (*replyPool, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return nil, fmt.Errorf("store: reply pool: %w", err)
	}
	q := u.Query()
	// lib/pq sends the URL's other parameters as settings of the session.
	q.Set("plan_cache_mode", "force_generic_plan")
	u.RawQuery = q.Encode()
	db, err := sqlx.Open("postgres", u.String())
	if err != nil {
		return nil, fmt.Errorf("store: reply pool: %w", err)
	}
	db.SetMaxOpenConns(replyConns)
	db.SetMaxIdleConns(replyConns)
	return &replyPool{db: db, stmts: stmtCache{db: db}}, nil
}

func (p *replyPool) close() error {
	p.stmts.close()
	return p.db.Close()
}

// Warm readies the store for its first requests: on Postgres, two
// connections of the reply pool each write a reply, notifying a watcher,
// in a transaction rolled back. They are then open, their statement
// prepared and planned, and what a backend builds on first use is built:
// the foreign keys' checks, the triggers' functions, the indexes'. Run on
// nothing, the statement left the first replies 5 ms slower than the rest.
// The rows it needs are made in the transaction with ids no sequence
// gives; the reply's own rows take theirs from their sequences, which a
// rollback does not give back, so the ids of posts, notifications and
// events skip two at each start, as after any refused write. A failure
// only leaves the first replies slower; so does one that takes longer
// than warmFor (a warm-up stuck behind another's rows, a database that
// stalls), which must not hold up the instance's start.
func (s *Store) Warm(ctx context.Context) error {
	if s.replies == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, warmFor)
	defer cancel()
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i := range errs {
		// Concurrent, so that each takes a connection of its own; the
		// second waits on the first's rows until it rolls back.
		wg.Go(func() { errs[i] = s.warmReply(ctx) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return fmt.Errorf("store: warm: %w", err)
		}
	}
	return nil
}

// warmFor is how long Warm may take.
var warmFor = 10 * time.Second

// warmRows are a thread by warmAuthor and watched by another person. Their
// keys are ones the application never makes (a leading "~"); a clash would
// only make Warm fail.
const warmRows = `WITH o AS (INSERT INTO organisations (id, name, name_key, kind, created_at)
		VALUES (-1, 'warm-up', '~warm-up', 'business', now()) RETURNING id),
	u AS (INSERT INTO users (id, email, name, organisation_id, role, status, password_hash, created_at, updated_at)
		SELECT v.id, v.email, 'warm-up', o.id, v.role, 'active', '', now(), now() FROM o,
		(VALUES (-1, '~author@warm-up.invalid', 'business'), (-2, '~reader@warm-up.invalid', 'member')) AS v (id, email, role)),
	th AS (INSERT INTO themes (id, slug, name_en, name_fr, name_es, created_at) VALUES (-1, '~warm-up', '', '', '', now()) RETURNING id),
	t AS (INSERT INTO threads (id, theme_id, kind, title, author_id, organisation_id, attribution, last_post_at, created_at, updated_at)
		SELECT -1, th.id, 'discussion', 'warm-up', -1, o.id, 'record', now(), now(), now() FROM th, o RETURNING id)
	INSERT INTO watches (user_id, target_type, target_id, level, created_at) SELECT -2, 'thread', t.id, 'watch', now() FROM t`

var warmAuthor = User{ID: -1, OrganisationID: -1, Role: RoleBusiness, Status: StatusActive}

func (s *Store) warmReply(ctx context.Context) error {
	tx, err := s.replies.db.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	// The unread counts' trigger would wait for a commit that never comes.
	if _, err := tx.ExecContext(ctx, `SET CONSTRAINTS ALL IMMEDIATE`); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, warmRows); err != nil {
		return err
	}
	query, args := replyQuery(NewPost{ThreadID: -1, Author: &warmAuthor, Body: "warm-up", HTML: "<p>warm-up</p>"}, s.now())
	var row replyRow
	// Bound to the transaction, the pool's statement is prepared on its
	// connection, where later replies find it.
	return s.replies.stmts.get(ctx, tx, &row, query, args...)
}
