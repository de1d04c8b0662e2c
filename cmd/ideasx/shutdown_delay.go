package main

import (
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// waitShutdownDelay serves on, not ready, for IDEASX_SHUTDOWN_DELAY: a
// proxy that health-checks /readyz (Caddy in deploy/compose.yaml) takes the
// instance out of rotation meanwhile, so no request it sends afterwards
// meets a closed connection. A second SIGTERM or Ctrl-C ends the wait, for
// an operator at a terminal who wants the process gone now.
func waitShutdownDelay(d time.Duration, log *slog.Logger) {
	again := make(chan os.Signal, 1)
	signal.Notify(again, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(again)
	log.Info("not ready any more; serving on until load balancers have noticed", "delay", d.String())
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-again:
		log.Info("second signal: draining now")
	}
}
