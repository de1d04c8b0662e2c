package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"ideasx/server/config"
	"ideasx/store"
)

// restore puts a backup in place of the embedded database. The database in
// place is kept beside it (with its write-ahead log, if any) rather than
// deleted, so a mistaken restore can be undone by renaming files back.
func restore(ctx context.Context, args []string, e env) error {
	p := config.NewParser("restore", e.getenv, e.stderr)
	force := p.FlagSet().Bool("force", false, "restore even though a running ideasx has the database open (stop it first instead: it would go on writing to the replaced file)")
	cfg, file, err := parseWithFile(p, args)
	if err != nil {
		return err
	}
	if cfg.DatabaseURL != "" {
		return errors.New(postgresHelp("restore", cfg.DatabaseURL, file))
	}
	if fi, err := os.Stat(file + "-wal"); err == nil && fi.Size() > 0 {
		return fmt.Errorf("%s has a write-ahead log beside it (%s-wal): it is a live database, not a backup; make one with ideasx backup", file, file)
	}
	info, err := store.InspectSQLiteFile(ctx, file)
	if err != nil {
		return fmt.Errorf("%s cannot be restored: %w", file, err)
	}
	dbPath := store.SQLiteFile(store.Options{DataDir: cfg.DataDir})
	if same, _ := sameFile(file, dbPath); same {
		return fmt.Errorf("%s is the database itself", file)
	}
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return err
	}
	release, err := store.LockSQLiteExclusive(dbPath)
	switch {
	case errors.Is(err, store.ErrInUse) && *force:
		fmt.Fprintf(e.stderr, "warning: %s is in use; restoring anyway (--force): restart every ideasx using it now\n", dbPath)
		release = func() {}
	case errors.Is(err, store.ErrInUse):
		return fmt.Errorf("%s is in use by a running ideasx (or another ideasx command): stop it first, or pass --force", dbPath)
	case err != nil:
		return err
	}
	defer release()

	// The copy goes beside the database first, so that the swap is a rename
	// on one file system and the database is never half-written.
	tmp, err := os.CreateTemp(cfg.DataDir, ".ideasx.db.restore-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // gone already once renamed
	if err := copyInto(tmp, file); err != nil {
		return err
	}
	kept := ""
	if _, err := os.Stat(dbPath); err == nil {
		kept = dbPath + ".before-restore-" + time.Now().UTC().Format("20060102T150405Z")
		// The log and shared memory go with their database: left beside
		// the restored file, SQLite would replay the old log into it.
		for _, suffix := range []string{"", "-wal", "-shm"} {
			if err := os.Rename(dbPath+suffix, kept+suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("keep the previous database: %w", err)
			}
		}
	}
	if err := os.Rename(tmp.Name(), dbPath); err != nil {
		return err
	}
	if err := syncFile(cfg.DataDir); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "restored %s (schema version %d) into %s\n", file, info.SchemaVersion, dbPath)
	if kept != "" {
		fmt.Fprintf(e.stdout, "the previous database is kept as %s\n", kept)
	}
	if info.SchemaVersion < info.Supported {
		fmt.Fprintf(e.stdout, "ideasx will migrate it from version %d to %d when it starts\n", info.SchemaVersion, info.Supported)
	}
	return nil
}

func copyInto(dst *os.File, src string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	if _, err := io.Copy(dst, in); err != nil {
		dst.Close()
		return err
	}
	if err := dst.Sync(); err != nil {
		dst.Close()
		return err
	}
	return dst.Close()
}
