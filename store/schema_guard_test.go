package store_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"ideasx/store"
	"ideasx/store/storetest"
)

func TestMigrateRefusesASchemaNewerThanItKnows(t *testing.T) {
	for _, e := range storetest.Engines {
		t.Run(string(e), func(t *testing.T) {
			ctx := context.Background()
			opts := storetest.Options(t, e)
			s := storetest.OpenOptions(t, opts)
			known, err := store.SupportedSchemaVersion(s.Engine())
			if err != nil {
				t.Fatal(err)
			}
			future := known + 3
			// What a newer ideasx leaves behind after its own migrations.
			insert := `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`
			if e == storetest.Postgres {
				insert = `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`
			}
			if _, err := s.DB().ExecContext(ctx, insert, future, "0099_from_the_future.sql", s.Now()); err != nil {
				t.Fatal(err)
			}

			_, err = s.Migrate(ctx)
			var tooNew *store.SchemaTooNewError
			if !errors.As(err, &tooNew) {
				t.Fatalf("migrate: got %v, want a SchemaTooNewError", err)
			}
			if tooNew.Database != future || tooNew.Supported != known {
				t.Errorf("got database %d supported %d, want %d and %d", tooNew.Database, tooNew.Supported, future, known)
			}
			for _, want := range []string{"version " + strconv.Itoa(future), "0099_from_the_future.sql", "version " + strconv.Itoa(known)} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not name %q", err, want)
				}
			}
			// A second process starting on the same database is refused too.
			s2, err := store.Open(ctx, opts)
			if err != nil {
				t.Fatal(err)
			}
			defer s2.Close()
			if _, err := s2.Migrate(ctx); !errors.As(err, &tooNew) {
				t.Errorf("second instance: got %v, want a SchemaTooNewError", err)
			}
		})
	}
}
