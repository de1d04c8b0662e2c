package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
)

// ErrNotSQLite means an operation that only the embedded database has was
// asked of Postgres, which has its own tools (pg_dump, pg_restore).
var ErrNotSQLite = errors.New("only the embedded SQLite database can do this")

// SQLiteFile is where the embedded database of opts lives.
func SQLiteFile(opts Options) string {
	if opts.SQLitePath != "" {
		return opts.SQLitePath
	}
	return filepath.Join(opts.DataDir, "ideasx.db")
}

// BackupSQLite writes a consistent copy of the embedded database to path,
// which must not exist or be empty. VACUUM INTO reads one snapshot in a
// single read transaction: in WAL mode the server's writers go on meanwhile,
// and the copy holds every transaction committed before it began and none of
// those after. (Copying the file instead loses what still sits in the WAL.)
func (s *Store) BackupSQLite(ctx context.Context, path string) error {
	if s.dialect.name() != "sqlite" {
		return ErrNotSQLite
	}
	if _, err := s.db.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	return nil
}

// SQLiteFileInfo describes a database file checked by InspectSQLiteFile.
type SQLiteFileInfo struct {
	// SchemaVersion is the highest migration applied to the file.
	SchemaVersion int
	// Supported is the highest migration this binary has.
	Supported int
}

// InspectSQLiteFile opens path read-only and checks that it is an intact
// ideasx database (PRAGMA integrity_check, a schema_migrations table) that
// this binary can run: its schema is not newer than the binary's.
func InspectSQLiteFile(ctx context.Context, path string) (SQLiteFileInfo, error) {
	var info SQLiteFileInfo
	if _, err := os.Stat(path); err != nil {
		return info, err
	}
	q := url.Values{}
	q.Set("mode", "ro")
	q.Add("_pragma", "busy_timeout(10000)")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return info, err
	}
	defer db.Close()
	var check string
	if err := db.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&check); err != nil {
		return info, fmt.Errorf("%s is not a readable SQLite database: %w", path, err)
	}
	if check != "ok" {
		return info, fmt.Errorf("%s fails SQLite's integrity check: %s", path, check)
	}
	var tables int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`).Scan(&tables); err != nil {
		return info, err
	}
	if tables == 0 {
		return info, fmt.Errorf("%s is a SQLite database but not an ideasx one (it has no schema_migrations table)", path)
	}
	var name sql.NullString
	err = db.QueryRowContext(ctx, `SELECT version, name FROM schema_migrations ORDER BY version DESC LIMIT 1`).Scan(&info.SchemaVersion, &name)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return info, err
	}
	if info.Supported, err = SupportedSchemaVersion("sqlite"); err != nil {
		return info, err
	}
	if info.SchemaVersion > info.Supported {
		return info, &SchemaTooNewError{Database: info.SchemaVersion, Name: name.String, Supported: info.Supported}
	}
	return info, nil
}
