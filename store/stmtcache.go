package store

import (
	"context"
	"database/sql"
	"strings"
	"sync"
	"unicode"

	"github.com/jmoiron/sqlx"
)

// stmtCache keeps one prepared statement per query text. Sent unprepared,
// every query is parsed and planned again by Postgres, which for the
// joins behind a thread or a post costs more than running them; prepared,
// it is parsed once per connection and soon runs on a cached plan. A reply
// is some twenty statements, so this is a good part of its time.
//
// database/sql prepares a statement on each pooled connection the first
// time it runs there, and again after a connection is replaced; inside a
// transaction it reuses the one prepared on the transaction's connection.
type stmtCache struct {
	db *sqlx.DB
	mu sync.RWMutex
	m  map[string]*sqlx.Stmt
	// full is set once the cache holds maxCachedStmts: queries built with
	// lists of varying length must not fill memory.
	full bool
}

const maxCachedStmts = 1000

// stmt returns the prepared statement for query, preparing it the first
// time, or nil when query is run unprepared: anything but plain data
// statements, and everything once the cache is full or a prepare failed
// (running it unprepared then reports the same error as before).
func (c *stmtCache) stmt(ctx context.Context, query string) *sqlx.Stmt {
	c.mu.RLock()
	st, ok := c.m[query]
	full := c.full
	c.mu.RUnlock()
	if ok || full || !cacheable(query) {
		return st
	}
	// Prepared outside the lock: a prepare waiting for a connection must
	// not hold up queries whose statements are cached already.
	st, err := c.db.PreparexContext(ctx, query)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if had, ok := c.m[query]; ok || c.full {
		// Another caller was first, or the cache filled meanwhile.
		_ = st.Close()
		return had
	}
	if c.m == nil {
		c.m = map[string]*sqlx.Stmt{}
	}
	c.m[query] = st
	c.full = len(c.m) >= maxCachedStmts
	return st
}

// cacheable keeps schema changes and transaction control out of the cache.
func cacheable(query string) bool {
	// The first word ends at any space: a query written "SELECT\n\t\t(..."
	// was once sent unprepared, planned again on every call.
	head := strings.TrimSpace(query)
	if end := strings.IndexFunc(head, unicode.IsSpace); end >= 0 {
		head = head[:end]
	}
	switch strings.ToUpper(head) {
	case "SELECT", "INSERT", "UPDATE", "DELETE", "WITH":
		return true
	}
	return false
}

// close releases every statement; the pool closes after it.
func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.m {
		_ = st.Close()
	}
	c.m, c.full = nil, true
}

// get runs query through q, prepared when it can be (see prepared).
func (c *stmtCache) get(ctx context.Context, q querier, dest any, query string, args ...any) error {
	query = q.Rebind(query)
	if st := c.prepared(ctx, q, query); st != nil {
		return st.GetContext(ctx, dest, args...)
	}
	return q.GetContext(ctx, dest, query, args...)
}

// selectAll is get for a query of several rows, into a slice.
func (c *stmtCache) selectAll(ctx context.Context, q querier, dest any, query string, args ...any) error {
	query = q.Rebind(query)
	if st := c.prepared(ctx, q, query); st != nil {
		return st.SelectContext(ctx, dest, args...)
	}
	return q.SelectContext(ctx, dest, query, args...)
}

// exec is get for a statement that returns no rows (Exec).
func (c *stmtCache) exec(ctx context.Context, q querier, query string, args ...any) (sql.Result, error) {
	query = q.Rebind(query)
	if st := c.prepared(ctx, q, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return q.ExecContext(ctx, query, args...)
}

// prepared returns the statement for query usable through q: bound to the
// transaction when q is one; nil when the query is to be sent as it is,
// as on a connection held for something else (the migrations' lock).
func (c *stmtCache) prepared(ctx context.Context, q querier, query string) *sqlx.Stmt {
	switch q := q.(type) {
	case *sqlx.DB:
		if q == c.db {
			return c.stmt(ctx, query)
		}
	case *sqlx.Tx:
		if st := c.stmt(ctx, query); st != nil {
			return q.StmtxContext(ctx, st)
		}
	}
	return nil
}
