package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"ideasx/server/config"
	"ideasx/store"
)

// env is the outside world a command sees, so tests can run commands in-process.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
}

const usage = `Ideas Exchange — a dialogue platform between businesses and governments.

Usage:
  ideasx [serve] [flags]       run the web server (the default command)
  ideasx migrate [flags]       apply database migrations and exit
  ideasx demo [flags]          load example content (idempotent)
  ideasx user COMMAND [flags]  manage accounts: create, list, set-password, suspend, activate, role
  ideasx token create [flags]  create a personal API token, printed alone on the last line
  ideasx backup [flags] FILE   write a consistent copy of the embedded database while it runs
  ideasx restore [flags] FILE  put a backup in place of the embedded database
  ideasx copy --to URL         move the embedded database to Postgres (server stopped)
  ideasx version               print the version, commit, build date and Go version
  ideasx healthcheck           exit 0 if the server on this machine is ready (container probes)

Run "ideasx COMMAND --help" for the flags of a command.
`

// run dispatches a command line and returns the process exit code.
func run(ctx context.Context, args []string, e env) int {
	cmd := "serve"
	if len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
		args[0] = "help"
	}
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "serve":
		err = serve(ctx, args, e)
	case "migrate":
		err = migrate(ctx, args, e)
	case "demo":
		err = demoLoad(ctx, args, e)
	case "backup":
		err = backup(ctx, args, e)
	case "restore":
		err = restore(ctx, args, e)
	case "copy":
		err = copyCmd(ctx, args, e)
	case "version":
		err = version(ctx, args, e)
	case "healthcheck":
		err = healthcheck(ctx, args, e)
	case "user":
		err = userCommand(ctx, args, e)
	case "token":
		if len(args) == 0 || args[0] != "create" {
			fmt.Fprintf(e.stderr, "usage: ideasx %s create [flags]\n", cmd)
			return 2
		}
		err = tokenCreate(ctx, args[1:], e)
	case "help":
		fmt.Fprint(e.stdout, usage)
		return 0
	default:
		fmt.Fprintf(e.stderr, "ideasx: unknown command %q (see ideasx --help)\n", cmd)
		return 2
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, new(config.UsageError)):
		fmt.Fprintf(e.stderr, "ideasx %s: %v\n", cmd, err)
		return 2
	default:
		// Drivers quote the connection string they could not use.
		fmt.Fprintf(e.stderr, "ideasx %s: %s\n", cmd, config.Redact(err.Error(), e.getenv("IDEASX_DATABASE_URL"), e.getenv("IDEASX_REDIS_URL"), e.getenv("IDEASX_SMTP_URL")))
		return 1
	}
}

func newLogger(cfg *config.Config, out io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "text" {
		return slog.New(slog.NewTextHandler(out, opts))
	}
	return slog.New(slog.NewJSONHandler(out, opts))
}

// openStore connects and migrates. A database that is still starting (as in
// a compose stack) is waited for up to a minute; one that refuses the
// credentials or does not exist is not. Errors never carry the password of
// the connection string.
func openStore(ctx context.Context, cfg *config.Config, log *slog.Logger) (*store.Store, error) {
	st, err := openStoreRetrying(ctx, cfg, log)
	if err != nil {
		return nil, errors.New(config.Redact(err.Error(), cfg.DatabaseURL))
	}
	return st, nil
}

func openStoreRetrying(ctx context.Context, cfg *config.Config, log *slog.Logger) (*store.Store, error) {
	opts := store.Options{DatabaseURL: cfg.DatabaseURL, DataDir: cfg.DataDir}
	if cfg.DatabaseURL == "" {
		if err := checkDataDir(cfg.DataDir); err != nil {
			return nil, err
		}
	}
	deadline := time.Now().Add(time.Minute)
	for {
		st, err := store.Open(ctx, opts)
		if err == nil {
			n, err := st.Migrate(ctx)
			if err != nil {
				st.Close()
				return nil, err
			}
			if n > 0 {
				log.Info("database migrated", "engine", st.Engine(), "applied", n)
			}
			return st, nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil || cfg.DatabaseURL == "" || permanentDBError(err) {
			return nil, err
		}
		log.Warn("database not reachable yet, retrying", "error", config.Redact(err.Error(), cfg.DatabaseURL))
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(2 * time.Second):
		}
	}
}

func migrate(ctx context.Context, args []string, e env) error {
	cfg, err := config.Parse("migrate", args, e.getenv, e.stderr)
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, store.Options{DatabaseURL: cfg.DatabaseURL, DataDir: cfg.DataDir})
	if err != nil {
		return errors.New(config.Redact(err.Error(), cfg.DatabaseURL))
	}
	defer st.Close()
	n, err := st.Migrate(ctx)
	if err != nil {
		return err
	}
	v, err := st.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "applied %d migration(s); schema version %d (%s)\n", n, v, st.Engine())
	return nil
}
