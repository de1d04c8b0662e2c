package store

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// SchemaTooNewError means the database was migrated by a newer ideasx than
// this one: running on would write rows the newer schema does not expect, so
// the binary refuses to start or migrate.
type SchemaTooNewError struct {
	Database  int    // the highest migration applied to the database
	Name      string // its file name, as the newer binary recorded it
	Supported int    // the highest migration this binary has
}

func (e *SchemaTooNewError) Error() string {
	return fmt.Sprintf("the database schema is at version %d (%s), newer than this ideasx knows (version %d): "+
		"run the newer ideasx, or restore a backup taken before the upgrade", e.Database, e.Name, e.Supported)
}

// SupportedSchemaVersion is the highest migration this binary has for engine
// ("sqlite" or "postgres").
func SupportedSchemaVersion(engine string) (int, error) {
	ms, err := loadMigrations(engine)
	if err != nil {
		return 0, err
	}
	return ms[len(ms)-1].version, nil
}

// checkNotNewer refuses a database with a migration this binary lacks.
func checkNotNewer(ctx context.Context, conn *sqlx.Conn, supported int) error {
	var row struct {
		Version int    `db:"version"`
		Name    string `db:"name"`
	}
	err := conn.GetContext(ctx, &row, `SELECT version, name FROM schema_migrations ORDER BY version DESC LIMIT 1`)
	if err != nil {
		if isNoRows(err) {
			return nil
		}
		return err
	}
	if row.Version > supported {
		return &SchemaTooNewError{Database: row.Version, Name: row.Name, Supported: supported}
	}
	return nil
}
