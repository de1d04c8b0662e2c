package store

import (
	"context"
	"fmt"
	"net/url"
	"sync"

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

// get runs query on the pool, prepared.
func (p *replyPool) get(ctx context.Context, dest any, query string, args ...any) error {
	query = p.db.Rebind(query)
	if st := p.stmts.stmt(ctx, query); st != nil {
		return st.GetContext(ctx, dest, args...)
	}
	return p.db.GetContext(ctx, dest, query, args...)
}

// Warm readies the store for its first requests: on Postgres, it runs the
// reply statement on two connections of its pool, for a thread that does
// not exist, which writes nothing; they are then open, their statement
// prepared and planned, and their catalog caches filled. A failure only
// leaves the first replies slower.
func (s *Store) Warm(ctx context.Context) error {
	if s.replies == nil {
		return nil
	}
	query, args := replyQuery(NewPost{Author: &User{}}, s.now())
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Go(func() {
			var row replyRow
			if err := s.replies.get(ctx, &row, query, args...); !isNoRows(err) {
				errs[i] = err
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return fmt.Errorf("store: warm: %w", err)
		}
	}
	return nil
}
