package store

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

//go:embed migrations
var migrationsFS embed.FS

type migration struct {
	version int
	name    string
	sql     string
}

func loadMigrations(engine string) ([]migration, error) {
	dir := path.Join("migrations", engine)
	entries, err := fs.ReadDir(migrationsFS, dir)
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a number and an underscore", e.Name())
		}
		body, err := fs.ReadFile(migrationsFS, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: e.Name(), sql: string(body)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	// A gap or a number used twice is a packaging mistake: a release ships
	// every version from 1 up, so that the schema's version says what it holds.
	for i := range out {
		if out[i].version != i+1 {
			return nil, fmt.Errorf("migrations for %s: expected version %d, found %s", engine, i+1, out[i].name)
		}
	}
	return out, nil
}

// MigrationsDigest names the schema that this binary's migrations build on
// engine: two binaries with the same digest make the same database, which
// lets tests copy one database migrated once instead of migrating each.
func MigrationsDigest(engine string) (string, error) {
	migrations, err := loadMigrations(engine)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	for _, m := range migrations {
		fmt.Fprintf(h, "%s\x00%s\x00", m.name, m.sql)
	}
	return hex.EncodeToString(h.Sum(nil)[:12]), nil
}

// Migrate applies the embedded migrations that the database lacks, each in
// its own transaction together with its row in schema_migrations. Running it
// again, or from two processes at once, is safe. It returns how many ran.
func (s *Store) Migrate(ctx context.Context) (int, error) {
	migrations, err := loadMigrations(s.dialect.name())
	if err != nil {
		return 0, fmt.Errorf("store: load migrations: %w", err)
	}
	conn, err := s.db.Connx(ctx)
	if err != nil {
		return 0, fmt.Errorf("store: migrate: %w", err)
	}
	defer conn.Close()
	unlock, err := s.dialect.lockMigrations(ctx, conn)
	if err != nil {
		return 0, fmt.Errorf("store: migrate lock: %w", err)
	}
	defer unlock()

	if err := whileSQLiteBusy(ctx, func() error {
		_, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version INTEGER PRIMARY KEY,
			name TEXT NOT NULL,
			applied_at TIMESTAMP NOT NULL
		)`)
		return err
	}); err != nil {
		return 0, fmt.Errorf("store: create schema_migrations: %w", err)
	}
	if err := checkNotNewer(ctx, conn, migrations[len(migrations)-1].version); err != nil {
		return 0, fmt.Errorf("store: migrate: %w", err)
	}
	applied := 0
	for _, m := range migrations {
		var ran bool
		if err := whileSQLiteBusy(ctx, func() (err error) {
			ran, err = s.applyMigration(ctx, conn, m)
			return err
		}); err != nil {
			return applied, fmt.Errorf("store: migration %s: %w", m.name, err)
		}
		if ran {
			applied++
		}
	}
	// Data steps that need Go (folding names) run after the schema steps, still under the lock.
	if err := s.fillHandles(ctx); err != nil {
		return applied, fmt.Errorf("store: %w", err)
	}
	return applied, nil
}

// migrationWait bounds how long a migration step waits for SQLite's write
// lock in all, past the busy_timeout of each try.
const migrationWait = 2 * time.Minute

// whileSQLiteBusy runs step, and again while SQLite's write lock stays
// taken past busy_timeout. Processes migrating one file together take the
// lock step by step, and one of them can lose every turn for longer than
// the timeout (TestConcurrentMigrations did under the race detector on a
// loaded machine). Each step may run again: it checks inside its own
// transaction whether another process did it meanwhile.
func whileSQLiteBusy(ctx context.Context, step func() error) error {
	deadline := time.Now().Add(migrationWait)
	for {
		err := step()
		if !isSQLiteBusy(err) || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func isSQLiteBusy(err error) bool {
	var sqErr *sqlite.Error
	return errors.As(err, &sqErr) && sqErr.Code()&0xff == sqlite3.SQLITE_BUSY
}

func (s *Store) applyMigration(ctx context.Context, conn *sqlx.Conn, m migration) (bool, error) {
	tx, err := conn.BeginTxx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback() //nolint:errcheck // no-op after commit
	var n int
	// Checked inside the transaction: on SQLite the immediate transaction is
	// the lock, so another process may have applied it a moment ago.
	if err := tx.GetContext(ctx, &n, tx.Rebind(`SELECT count(*) FROM schema_migrations WHERE version = ?`), m.version); err != nil {
		return false, err
	}
	if n > 0 {
		return false, nil
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`), m.version, m.name, s.now()); err != nil {
		return false, err
	}
	return true, tx.Commit()
}

// SchemaVersion returns the highest applied migration.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := s.get(ctx, s.db, &v, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`)
	return v, err
}
