package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"ideasx/server/config"
	"ideasx/store"
)

// backup writes a consistent copy of the embedded database while the server
// runs. The copy is written under a temporary name beside FILE, checked, and
// only then renamed to FILE, so FILE is either a whole, verified backup or
// absent (or, with --force, the previous one).
func backup(ctx context.Context, args []string, e env) error {
	p := config.NewParser("backup", e.getenv, e.stderr)
	force := p.FlagSet().Bool("force", false, "replace FILE if it exists")
	cfg, file, err := parseWithFile(p, args)
	if err != nil {
		return err
	}
	if cfg.DatabaseURL != "" {
		return errors.New(postgresHelp("backup", cfg.DatabaseURL, file))
	}
	dbPath := store.SQLiteFile(store.Options{DataDir: cfg.DataDir})
	if _, err := os.Stat(dbPath); err != nil {
		return fmt.Errorf("no database to back up at %s (IDEASX_DATA_DIR is %q): %w", dbPath, cfg.DataDir, err)
	}
	target, err := filepath.Abs(file)
	if err != nil {
		return err
	}
	if same, _ := sameFile(target, dbPath); same {
		return fmt.Errorf("%s is the database itself: name another file", file)
	}
	if _, err := os.Lstat(target); err == nil && !*force {
		return fmt.Errorf("%s exists: choose another name, or pass --force to replace it", file)
	}
	// VACUUM INTO accepts an empty file; CreateTemp makes it readable by its
	// owner only, as a copy of every account's data should be.
	tmp, err := os.CreateTemp(filepath.Dir(target), "."+filepath.Base(target)+".tmp-*")
	if err != nil {
		return fmt.Errorf("cannot write beside %s: %w", file, err)
	}
	tmpName := tmp.Name()
	tmp.Close()
	defer os.Remove(tmpName) // gone already once renamed

	start := time.Now()
	st, err := store.Open(ctx, store.Options{DataDir: cfg.DataDir})
	if err != nil {
		return err
	}
	err = st.BackupSQLite(ctx, tmpName)
	st.Close()
	if err != nil {
		return err
	}
	info, err := store.InspectSQLiteFile(ctx, tmpName)
	if err != nil {
		return fmt.Errorf("the backup failed its check, %s is unchanged: %w", file, err)
	}
	if err := syncFile(tmpName); err != nil {
		return err
	}
	if err := os.Rename(tmpName, target); err != nil {
		return err
	}
	if err := syncFile(filepath.Dir(target)); err != nil {
		return err
	}
	size := int64(0)
	if fi, err := os.Stat(target); err == nil {
		size = fi.Size()
	}
	fmt.Fprintf(e.stdout, "backup written to %s: %d bytes, schema version %d, integrity check ok, in %s\n",
		file, size, info.SchemaVersion, time.Since(start).Round(time.Millisecond))
	return nil
}

// parseWithFile reads the settings, the command's own flags and exactly one
// FILE argument, flags before or after it. The flags alone go through the
// Parser, so help and wrong flags read as for every other command.
func parseWithFile(p *config.Parser, args []string) (*config.Config, string, error) {
	fs := p.FlagSet()
	var flags, files []string
	rest := args
	for {
		fs.SetOutput(io.Discard)
		err := fs.Parse(rest)
		if err != nil {
			_, err = p.Parse(append(flags, rest...))
			return nil, "", err
		}
		flags = append(flags, rest[:len(rest)-fs.NArg()]...)
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	cfg, err := p.Parse(flags)
	if err != nil {
		return nil, "", err
	}
	if len(files) != 1 {
		return nil, "", config.UsageError{Msg: fmt.Sprintf("want one FILE argument, got %d (see ideasx %s --help)", len(files), fs.Name())}
	}
	return cfg, files[0], nil
}

// postgresHelp explains the Postgres tools for what the command would do on
// SQLite. ideasx does not run them itself: pg_dump must be at least the
// server's major version, which only the operator's machine can promise.
// The password never appears: it is for PGPASSWORD or ~/.pgpass.
func postgresHelp(cmd, databaseURL, file string) string {
	conn, hasPassword := libpqURL(databaseURL)
	var b strings.Builder
	fmt.Fprintf(&b, "the database is Postgres (IDEASX_DATABASE_URL): ideasx %s only handles the embedded SQLite database.\n", cmd)
	if cmd == "backup" {
		b.WriteString("Back up Postgres with its own pg_dump (the server's major version or newer), e.g.:\n\n")
		fmt.Fprintf(&b, "  pg_dump --format=custom --no-owner --file=%s '%s'\n\n", shellQuote(file), conn)
		b.WriteString("pg_dump takes a consistent snapshot while ideasx runs. Files are stored in the database, so this is the whole installation.\n")
	} else {
		b.WriteString("Restore a pg_dump file with pg_restore into an empty database, with every ideasx instance stopped, e.g.:\n\n")
		fmt.Fprintf(&b, "  pg_restore --no-owner --exit-on-error --dbname='%s' %s\n\n", conn, shellQuote(file))
		b.WriteString("(a plain SQL dump: psql --set ON_ERROR_STOP=1 --single-transaction --file=FILE '<same URL>'). Then start ideasx: it migrates the restored schema.\n")
	}
	if hasPassword {
		b.WriteString("The URL's password is left out: give it in PGPASSWORD or ~/.pgpass.\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// libpqURL is the database URL without its password and without the
// parameters only ideasx's driver knows, which libpq tools would refuse.
func libpqURL(raw string) (string, bool) {
	u, err := url.Parse(raw)
	if err != nil {
		return "postgres://USER@HOST:5432/DATABASE", false
	}
	_, hasPassword := u.User.Password()
	if u.User != nil {
		u.User = url.User(u.User.Username())
	}
	q := u.Query()
	for _, k := range []string{"binary_parameters", "disable_prepared_binary_result", "search_path"} {
		q.Del(k)
	}
	u.RawQuery = q.Encode()
	return u.String(), hasPassword
}

func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func sameFile(a, b string) (bool, error) {
	fa, err := os.Stat(a)
	if err != nil {
		return false, err
	}
	fb, err := os.Stat(b)
	if err != nil {
		return false, err
	}
	return os.SameFile(fa, fb), nil
}

// syncFile flushes a file or a directory (so a rename in it is durable).
func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}
