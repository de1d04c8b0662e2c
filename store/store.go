// Package store holds the domain types of Ideas Exchange and persists them
// in Postgres or in the embedded SQLite database with plain SQL over sqlx.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq"  // Postgres driver, selected by a postgres:// URL.
	_ "modernc.org/sqlite" // Embedded default, pure Go.
)

// Store is the one entry point to the database.
type Store struct {
	db      *sqlx.DB
	dialect dialect
	// clock is swapped by tests (SetClock) while background jobs read it.
	clock atomic.Pointer[func() time.Time]
	// events collects what each open transaction emitted, published once it commits.
	events eventOutbox
	stmts  stmtCache
	// replies writes replies on Postgres (see replyPool); nil on SQLite.
	replies *replyPool
	// inUse is the embedded database's lock file, held so that a restore
	// can tell the database is open (see lockShared); nil on Postgres.
	inUse *os.File
	// writes counts the changes this process made, for caches of what
	// the database says (see Writes).
	writes atomic.Uint64
	// writeTurn queues this process's transactions on SQLite, where each
	// takes the file's one write lock as it begins (_txlock=immediate):
	// waiting here is in turn, where SQLite's busy handler polls, and a
	// transaction could lose every poll past busy_timeout while others
	// came and went (TestConcurrentChangesDoNotDeadlock did, under the
	// race detector on a loaded machine). Nil on Postgres.
	writeTurn chan struct{}
	// credentials keeps the accounts behind sessions and API tokens for a
	// second (credential_cache.go); credentialsForgotten counts the
	// changes of accounts that other instances announced.
	credentials          credentialCache
	credentialsForgotten atomic.Uint64
	// accountWrites counts the changes this process made that may touch
	// an account, a session or a token: all but replies (see wrote).
	accountWrites atomic.Uint64
}

// wrote counts a change this process made (Writes), and one that may have
// touched an account, a session or a token (credentialGen): every change
// but the reply statement of post_reply.go.
func (s *Store) wrote() {
	s.writes.Add(1)
	s.accountWrites.Add(1)
}

// Writes counts the changes this process has committed so far: a cache
// that noted it before reading may keep what it read until it moves. A
// statement inside a transaction counts once more when the transaction
// commits, so a reader between the two does not keep what it read.
func (s *Store) Writes() uint64 { return s.writes.Load() }

// Options selects and tunes the database.
type Options struct {
	// DatabaseURL is a postgres:// URL, or empty for SQLite in DataDir.
	DatabaseURL string
	// DataDir holds the SQLite file when DatabaseURL is empty.
	DataDir string
	// SQLitePath overrides the SQLite file location (tests).
	SQLitePath string
}

// Open connects to the database described by opts and checks that it answers.
// It does not migrate: call Migrate.
func Open(ctx context.Context, opts Options) (*Store, error) {
	var (
		db      *sqlx.DB
		replies *replyPool
		d       dialect
		err     error
		inUse   *os.File
	)
	switch {
	case strings.HasPrefix(opts.DatabaseURL, "postgres://"), strings.HasPrefix(opts.DatabaseURL, "postgresql://"):
		db, err = sqlx.Open("postgres", postgresDSN(opts.DatabaseURL))
		if err != nil {
			return nil, fmt.Errorf("store: open postgres: %w", err)
		}
		db.SetMaxOpenConns(20)
		// As many kept as may be open: under load a connection closed on
		// its return was opened again at once (a new Postgres process)
		// and each of its prepared statements planned again.
		db.SetMaxIdleConns(20)
		db.SetConnMaxIdleTime(5 * time.Minute)
		if replies, err = openReplyPool(postgresDSN(opts.DatabaseURL)); err != nil {
			db.Close()
			return nil, err
		}
		d = postgresDialect{}
	case opts.DatabaseURL == "":
		path := SQLiteFile(opts)
		if opts.SQLitePath == "" {
			if err := os.MkdirAll(opts.DataDir, 0o750); err != nil {
				return nil, fmt.Errorf("store: create data dir: %w", err)
			}
		}
		if inUse, err = lockShared(path); err != nil {
			return nil, err
		}
		db, err = sqlx.Open("sqlite", sqliteDSN(path))
		if err != nil {
			inUse.Close()
			return nil, fmt.Errorf("store: open sqlite: %w", err)
		}
		// SQLite has one writer; a few connections let readers go on beside it
		// (WAL) while immediate transactions queue behind busy_timeout.
		db.SetMaxOpenConns(8)
		db.SetMaxIdleConns(8)
		d = sqliteDialect{}
	default:
		return nil, fmt.Errorf("store: unsupported database URL scheme (want postgres:// or empty for SQLite)")
	}
	if err := ping(ctx, db); err != nil {
		db.Close()
		if replies != nil {
			replies.close()
		}
		if inUse != nil {
			inUse.Close()
		}
		return nil, fmt.Errorf("store: ping %s: %w", d.name(), err)
	}
	s := &Store{db: db, dialect: d, stmts: stmtCache{db: db}, replies: replies, inUse: inUse}
	if d.name() == "sqlite" {
		s.writeTurn = make(chan struct{}, 1)
	}
	s.SetClock(time.Now)
	return s, nil
}

// sqliteDSN sets the pragmas before anything else runs on a connection:
// busy_timeout must precede journal_mode so that switching to WAL waits
// instead of failing when another process holds the file.
func sqliteDSN(path string) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	// Up to 32 MiB of pages kept per connection (SQLite's default is
	// 2 MiB), filled only as pages are read. With 2 MiB a forum search
	// over a million posts read back, through a system call each, the
	// pages of the 2,000 posts it ranks on every search: p95 32 ms against
	// 18.6 ms with this (BenchmarkSearchForum1M's queries on one file).
	// At most 256 MiB for the pool's eight connections, and no more than
	// the database's own size.
	q.Add("_pragma", "cache_size(-32768)")
	q.Set("_txlock", "immediate")
	// A fixed, sortable text format keeps time comparisons in SQL correct.
	q.Set("_time_format", "sqlite")
	return "file:" + path + "?" + q.Encode()
}

// Close releases the prepared statements and the connection pool.
func (s *Store) Close() error {
	s.stmts.close()
	if s.replies != nil {
		s.replies.close()
	}
	err := s.db.Close()
	if s.inUse != nil {
		s.inUse.Close()
	}
	return err
}

// Ping reports whether the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

// Engine names the SQL engine in use: "postgres" or "sqlite".
func (s *Store) Engine() string { return s.dialect.name() }

// DB exposes the pool for metrics collectors.
func (s *Store) DB() *sql.DB { return s.db.DB }

// ReplyDB is the pool that writes replies (reply_pool.go), for metrics
// collectors; nil where replies share the main pool (SQLite).
func (s *Store) ReplyDB() *sql.DB {
	if s.replies == nil {
		return nil
	}
	return s.replies.db.DB
}

// SetClock replaces the clock; tests use it to move time forward.
func (s *Store) SetClock(now func() time.Time) {
	fn := func() time.Time { return now().UTC() }
	s.clock.Store(&fn)
}

func (s *Store) now() time.Time { return (*s.clock.Load())() }

// Now is the store's current time, in UTC.
func (s *Store) Now() time.Time { return s.now() }

// postgresDSN asks lib/pq to send a query and its parameters in one round
// trip (binary_parameters) unless the URL says otherwise: a reply is some
// twenty statements, and half the round trips are a good part of its time.
func postgresDSN(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw // the driver reports it
	}
	q := u.Query()
	if q.Get("binary_parameters") == "" {
		q.Set("binary_parameters", "yes")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// querier is what both *sqlx.DB and *sqlx.Tx offer, so that one query helper
// serves inside and outside transactions.
type querier interface {
	sqlx.ExtContext
	GetContext(ctx context.Context, dest any, query string, args ...any) error
	SelectContext(ctx context.Context, dest any, query string, args ...any) error
}

func (s *Store) get(ctx context.Context, q querier, dest any, query string, args ...any) error {
	return s.dialect.translate(s.stmts.get(ctx, q, dest, query, args...))
}

func (s *Store) selectAll(ctx context.Context, q querier, dest any, query string, args ...any) error {
	return s.dialect.translate(s.stmts.selectAll(ctx, q, dest, query, args...))
}

// selectPlanned is selectAll for a query whose best plan depends on its
// arguments (a search word in a few posts or in half of them): sent
// unprepared, it is planned for them each time, where a prepared
// statement soon settles on one generic plan for every word.
func (s *Store) selectPlanned(ctx context.Context, q querier, dest any, query string, args ...any) error {
	return s.dialect.translate(q.SelectContext(ctx, dest, q.Rebind(query), args...))
}

func (s *Store) exec(ctx context.Context, q querier, query string, args ...any) (int64, error) {
	res, err := s.stmts.exec(ctx, q, query, args...)
	if err != nil {
		return 0, s.dialect.translate(err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, err
	}
	if n > 0 {
		s.wrote()
	}
	return n, nil
}

// insert runs an INSERT … RETURNING id and returns the id.
func (s *Store) insert(ctx context.Context, q querier, query string, args ...any) (int64, error) {
	var id int64
	if err := s.get(ctx, q, &id, query+" RETURNING id", args...); err != nil {
		return 0, err
	}
	s.wrote()
	return id, nil
}

// inTx runs fn in a transaction that commits when fn returns nil and rolls
// back otherwise, so that nothing half-written stays behind.
func (s *Store) inTx(ctx context.Context, fn func(tx *sqlx.Tx) error) (err error) {
	if s.writeTurn != nil {
		select {
		case s.writeTurn <- struct{}{}:
			defer func() { <-s.writeTurn }()
		case <-ctx.Done():
			return fmt.Errorf("begin: %w", ctx.Err())
		}
	}
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", s.dialect.translate(err))
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	defer s.events.forget(tx)
	if err = fn(tx); err != nil {
		return err
	}
	if err = s.numberPending(ctx, tx); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", s.dialect.translate(err))
	}
	s.wrote()
	s.events.publish(tx)
	return nil
}

// likePattern escapes a user's search words for a LIKE … ESCAPE '\' clause.
func likePattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(strings.ToLower(s)) + "%"
}

var errNoRows = sql.ErrNoRows

func isNoRows(err error) bool { return errors.Is(err, errNoRows) || errors.Is(err, ErrNotFound) }

// where collects the optional conditions of a filtered list.
type where struct {
	conds []string
	args  []any
}

func (w *where) add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

// sql returns " WHERE a AND b" (or "") and the arguments in order.
func (w *where) sql() (string, []any) {
	if len(w.conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(w.conds, " AND "), w.args
}

// ping checks the connection. Switching a new SQLite file to WAL takes an
// exclusive lock, and SQLite may answer "locked" without waiting when
// several processes open the file at the same moment: that is retried.
func ping(ctx context.Context, db *sqlx.DB) error {
	var err error
	for range 50 {
		if err = db.PingContext(ctx); err == nil || !strings.Contains(err.Error(), "SQLITE_BUSY") {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return err
}
