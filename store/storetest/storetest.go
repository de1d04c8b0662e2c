// Package storetest opens fresh, migrated databases for tests: a temporary
// SQLite file, and a private schema in the test Postgres database.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	_ "github.com/lib/pq" // Postgres driver for schema set-up.

	"ideasx/store"
)

// DefaultPostgresURL is used when IDEASX_TEST_DATABASE_URL is not set; it
// matches what `make test` prepares.
const DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/ideasx_test?sslmode=disable"

// InCI reports whether missing services must fail tests instead of skipping them.
func InCI() bool { return os.Getenv("CI") == "true" }

// Unavailable skips the test, or fails it under CI, because a service is missing.
func Unavailable(t testing.TB, what string, err error) {
	t.Helper()
	if InCI() {
		t.Fatalf("%s unavailable under CI: %v", what, err)
	}
	t.Skipf("%s unavailable (run `make test` to start it): %v", what, err)
}

// Engine names a database engine under test.
type Engine string

// The engines every store test runs on.
const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// Engines lists the engines in test order.
var Engines = []Engine{SQLite, Postgres}

// Each runs fn once per engine, each on a fresh, migrated database.
func Each(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Helper()
	for _, e := range Engines {
		t.Run(string(e), func(t *testing.T) {
			fn(t, Open(t, e))
		})
	}
}

// Open returns a fresh, migrated store on engine e, closed at the end of the test.
func Open(t testing.TB, e Engine) *store.Store {
	t.Helper()
	opts := Options(t, e)
	if e == SQLite {
		// Migrating SQLite under the race detector takes about half a
		// second, hundreds of times a run: a copy of a database migrated
		// once is the same database.
		copyFile(t, migratedSQLite(t), opts.SQLitePath)
	}
	return OpenOptions(t, opts)
}

var sqliteTemplate struct {
	once sync.Once
	path string
	err  error
}

// migratedSQLite is the path of an SQLite database holding every migration
// and nothing else, kept in the temporary directory under the digest of the
// migrations, so that test binaries share it until a migration changes.
func migratedSQLite(t testing.TB) string {
	t.Helper()
	tpl := &sqliteTemplate
	tpl.once.Do(func() {
		digest, err := store.MigrationsDigest(string(SQLite))
		if err != nil {
			tpl.err = err
			return
		}
		tpl.path = filepath.Join(os.TempDir(), "ideasx-test-schema-"+digest+".db")
		if _, err := os.Stat(tpl.path); err == nil {
			return
		}
		// Built beside its final name and renamed, so that test binaries
		// running side by side never copy a half-made file.
		dir, err := os.MkdirTemp("", "ideasx-test-schema-")
		if err != nil {
			tpl.err = err
			return
		}
		defer os.RemoveAll(dir)
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		opts := store.Options{SQLitePath: filepath.Join(dir, "schema.db")}
		s, err := store.Open(ctx, opts)
		if err != nil {
			tpl.err = err
			return
		}
		_, err = s.Migrate(ctx)
		// Closing checkpoints the write-ahead log into the file.
		if cerr := s.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Rename(opts.SQLitePath, tpl.path)
		}
		tpl.err = err
	})
	if tpl.err != nil {
		t.Fatalf("migrated SQLite template: %v", tpl.err)
	}
	return tpl.path
}

func copyFile(t testing.TB, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err == nil {
		err = os.WriteFile(to, b, 0o600)
	}
	if err != nil {
		t.Fatalf("copy the migrated database: %v", err)
	}
}

// OpenOptions opens and migrates a store on opts, closed at the end of the
// test; several calls on the same options are several instances of one
// database.
func OpenOptions(t testing.TB, opts store.Options) *store.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := store.Open(ctx, opts)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return s
}

// Options returns store options for a fresh, empty database on engine e,
// removed at the end of the test. Several stores may open the same options,
// as several server instances would.
func Options(t testing.TB, e Engine) store.Options {
	t.Helper()
	switch e {
	case Postgres:
		return store.Options{DatabaseURL: NewPostgresSchema(t)}
	default:
		return store.Options{SQLitePath: filepath.Join(t.TempDir(), "test.db")}
	}
}

// PostgresURL is the test database's URL.
func PostgresURL() string {
	if u := os.Getenv("IDEASX_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return DefaultPostgresURL
}

// NewPostgresSchema creates an empty schema in the test database and returns
// a URL whose connections use it, so that tests do not see each other's rows.
func NewPostgresSchema(t testing.TB) string {
	t.Helper()
	base := PostgresURL()
	db, err := sql.Open("postgres", base)
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err = db.PingContext(ctx)
		cancel()
	}
	if err != nil {
		Unavailable(t, "Postgres at "+redact(base), err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	if _, err := db.Exec(`CREATE SCHEMA ` + schema); err != nil {
		db.Close()
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		_, _ = db.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
		db.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse %s: %v", redact(base), err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}
