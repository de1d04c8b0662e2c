package store

import (
	"context"
	"database/sql"
	"errors"

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
	if errors.As(err, &pqErr) && pqErr.Code == "23505" {
		return errors.Join(ErrConflict, err)
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
		}
	}
	return err
}

// SQLite transactions are opened with _txlock=immediate, which already takes
// the file's write lock; nothing more is needed.
func (sqliteDialect) lockMigrations(context.Context, *sqlx.Conn) (func(), error) {
	return func() {}, nil
}
