package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"ideasx/server/config"
	"ideasx/store"
)

// copyCmd moves an installation from the embedded database to Postgres. The
// server must be stopped: the copy is of one moment, and anything written
// after it would stay behind in the SQLite file.
func copyCmd(ctx context.Context, args []string, e env) error {
	p := config.NewParser("copy", e.getenv, e.stderr)
	to := p.FlagSet().String("to", "", "the postgres:// URL to copy the embedded database into (the password may come from PGPASSWORD instead)")
	replace := p.FlagSet().Bool("replace", false, "empty the target's tables first (to copy again over an earlier copy)")
	cfg, err := p.Parse(args)
	if err != nil {
		return err
	}
	if err := copyRun(ctx, cfg, *to, *replace, e); err != nil {
		if errors.As(err, new(config.UsageError)) {
			return err
		}
		return errors.New(config.Redact(err.Error(), *to))
	}
	return nil
}

func copyRun(ctx context.Context, cfg *config.Config, to string, replace bool, e env) error {
	if cfg.DatabaseURL != "" {
		return errors.New("IDEASX_DATABASE_URL is set: copy reads the embedded database of IDEASX_DATA_DIR, so unset it for this command")
	}
	if !strings.HasPrefix(to, "postgres://") && !strings.HasPrefix(to, "postgresql://") {
		return config.UsageError{Msg: "--to must be a postgres:// URL (see ideasx copy --help)"}
	}
	shown := to
	if u, err := url.Parse(to); err == nil {
		shown = u.Redacted()
	}
	path := store.SQLiteFile(store.Options{DataDir: cfg.DataDir})
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("no embedded database at %s (IDEASX_DATA_DIR is %q): %w", path, cfg.DataDir, err)
	}
	start := time.Now()
	dst, err := store.Open(ctx, store.Options{DatabaseURL: to})
	if err != nil {
		return err
	}
	defer dst.Close()
	if _, err := dst.Migrate(ctx); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "copying %s to %s\n", path, shown)
	report, err := store.CopySQLiteToPostgres(ctx, path, dst, store.CopyOptions{Replace: replace})
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "table\tsqlite\tpostgres\t\t")
	for _, t := range report.Tables {
		mark := "ok"
		if t.Source != t.Target {
			mark = "MISMATCH"
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t\n", t.Name, t.Source, t.Target, mark)
	}
	tw.Flush()
	fmt.Fprintf(e.stdout, "%d file(s), %d bytes, checked by SHA-256; %d sequence(s) moved past the copied ids; %s\n",
		report.Files, report.Bytes, report.Sequences, time.Since(start).Round(time.Millisecond))
	for _, m := range report.FileMismatches {
		fmt.Fprintf(e.stdout, "MISMATCH %s\n", m)
	}
	if !report.OK() {
		return errors.New("the copy does not match its source (see above); keep running on the embedded database and report this")
	}
	fmt.Fprintf(e.stdout, "copy verified. Start ideasx with IDEASX_DATABASE_URL set to %s; %s stays as it was.\n", shown, path)
	return nil
}
