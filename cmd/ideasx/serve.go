package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"runtime/debug"
	"time"

	"github.com/redis/go-redis/v9"

	"ideasx/server"
	"ideasx/server/auth"
	"ideasx/server/buildinfo"
	"ideasx/server/config"
	"ideasx/server/live"
	"ideasx/server/mail"
	"ideasx/store"
)

const setupLinkTTL = 24 * time.Hour

func serve(ctx context.Context, args []string, e env) error {
	cfg, err := config.Parse("serve", args, e.getenv, e.stderr)
	if err != nil {
		return err
	}
	log := newLogger(cfg, e.stderr)
	log.Info("starting ideasx", append([]any{"version", buildinfo.Get().Version}, cfg.Summary()...)...)
	// Mostly idle websockets make memory dearer than the few CPU percent of
	// collecting more often: unless GOGC says otherwise, the heap grows by
	// half between collections rather than doubling (10,000 idle
	// connections: 176 MiB instead of 219, same delivery latency).
	if e.getenv("GOGC") == "" {
		debug.SetGCPercent(50)
	}
	warnUnknownVariables(log, os.Environ())
	if err := cfg.CheckSingleStore(); err != nil {
		return err
	}
	// The port first: a second copy started by mistake fails at once, before
	// it migrates or prints a setup link that would not be served.
	ln, err := listen(cfg.Addr)
	if err != nil {
		return err
	}
	defer ln.Close()

	st, err := openStore(ctx, cfg, log)
	if err != nil {
		return fmt.Errorf("database: %w", err)
	}
	defer st.Close()
	if err := st.Warm(ctx); err != nil {
		log.Warn("database not warmed: the first replies will be slower", "error", config.Redact(err.Error(), cfg.DatabaseURL))
	}
	if err := printSetupLink(ctx, st, cfg, log); err != nil {
		return err
	}

	var ready []server.ReadyCheck
	var broker live.Broker
	if cfg.RedisURL != "" {
		opts, err := redis.ParseURL(cfg.RedisURL)
		if err != nil {
			return fmt.Errorf("IDEASX_REDIS_URL: %s", config.Redact(err.Error(), cfg.RedisURL))
		}
		rdb := redis.NewClient(opts)
		defer rdb.Close()
		ready = append(ready, server.ReadyCheck{Name: "redis", Check: func(ctx context.Context) error { return rdb.Ping(ctx).Err() }})
		broker = live.NewRedisBroker(rdb, cfg.RedisChannel, log)
	}
	sender, err := mail.New(cfg.SMTPURL, cfg.MailFrom, log)
	if err != nil {
		return err
	}
	srv, err := server.New(server.Deps{Config: cfg, Store: st, Logger: log, Mail: sender, ReadyChecks: ready, Broker: broker})
	if err != nil {
		return err
	}
	go runJobs(ctx, st, cfg, log)

	httpServer := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		// Long enough for a large upload on a slow line; websockets clear
		// the deadlines on their hijacked connections.
		ReadTimeout:    5 * time.Minute,
		WriteTimeout:   5 * time.Minute,
		IdleTimeout:    2 * time.Minute,
		MaxHeaderBytes: 64 << 10,
		ErrorLog:       slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- httpServer.Serve(ln) }()
	log.Info("listening", "addr", ln.Addr().String(), "url", cfg.BaseURL)

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down", "delay", cfg.ShutdownDelay.String(), "timeout", cfg.ShutdownTimeout.String())
	if cfg.ShutdownDelay > 0 {
		srv.StopBeingReady()
		waitShutdownDelay(cfg.ShutdownDelay, log)
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	// Websockets first: their clients go to another instance while this
	// one finishes its ordinary requests.
	srv.Shutdown(shutdownCtx)
	if err := httpServer.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}

// printSetupLink logs a one-time link to create the first admin while none
// exists. Each start prints a fresh link; any of them works until one is used.
func printSetupLink(ctx context.Context, st *store.Store, cfg *config.Config, log *slog.Logger) error {
	n, err := st.CountAdmins(ctx)
	if err != nil || n > 0 {
		return err
	}
	plain, hash := auth.NewToken("")
	if err := st.CreateSetupToken(ctx, hash, setupLinkTTL); err != nil {
		return err
	}
	log.Warn("no administrator yet: open this one-time link to create the first one (valid 24 hours)",
		"setup_url", cfg.BaseURL+"/setup/"+plain)
	return nil
}

// runJobs does the periodic housekeeping. Each job is an idempotent UPDATE
// or DELETE, so several instances may run them at the same time.
func runJobs(ctx context.Context, st *store.Store, cfg *config.Config, log *slog.Logger) {
	minute := time.NewTicker(time.Minute)
	defer minute.Stop()
	for n := 0; ; n++ {
		if count, err := st.DerestrictDue(ctx); err != nil {
			log.Warn("derestrict documents", "error", err)
		} else if count > 0 {
			log.Info("documents derestricted", "count", count)
		}
		if n%60 == 0 {
			if err := st.PurgeExpired(ctx); err != nil {
				log.Warn("purge expired sessions", "error", err)
			}
			if _, err := st.PurgeEvents(ctx, cfg.EventRetention); err != nil {
				log.Warn("purge live events", "error", err)
			}
			// A day is long enough to finish a post whose files were uploaded first.
			if _, err := st.PurgeUnusedAttachments(ctx, 24*time.Hour); err != nil {
				log.Warn("purge unused attachments", "error", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-minute.C:
		}
	}
}
