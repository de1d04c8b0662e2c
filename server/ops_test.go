package server_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"ideasx/server"
	"ideasx/server/config"
	"ideasx/server/mail"
	"ideasx/server/servertest"
	"ideasx/store/storetest"
)

func TestHealthReadinessAndMetrics(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		c := app.Client()
		if r := c.Get("/healthz"); r.Status != http.StatusOK {
			t.Errorf("healthz: %d", r.Status)
		}
		r := c.Get("/readyz")
		if r.Status != http.StatusOK || !strings.Contains(r.Body, `"database":"ok"`) {
			t.Errorf("readyz: %d %s", r.Status, r.Body)
		}
		c.Get("/")
		m := c.Get("/metrics")
		for _, want := range []string{`ideasx_http_requests_total{code="200",method="GET",route="GET /{$}"}`, "go_goroutines", "go_sql_open_connections"} {
			if !strings.Contains(m.Body, want) {
				t.Errorf("metrics lack %s", want)
			}
		}
		if id := r.Header.Get("X-Request-Id"); len(id) != 16 || !strings.Contains(app.Logs(), `"request_id":"`+id+`"`) {
			t.Errorf("request id %q is not in the logs", id)
		}
	})
}

func TestReadinessFailsWhenADependencyIsDown(t *testing.T) {
	t.Parallel()
	st := storetest.Open(t, storetest.SQLite)
	cfg, err := config.Parse("serve", nil, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := server.New(server.Deps{Config: cfg, Store: st, Logger: log, Mail: &mail.LogSender{Log: log},
		ReadyChecks: []server.ReadyCheck{{Name: "redis", Check: func(context.Context) error { return errors.New("connection refused") }}}})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), `"redis":"unavailable"`) {
		t.Errorf("got %d %s, want 503 naming redis", rec.Code, rec.Body.String())
	}
}

func TestMetricsTokenGuardsMetrics(t *testing.T) {
	t.Parallel()
	app := servertest.New(t, storetest.SQLite, map[string]string{"IDEASX_METRICS_TOKEN": "s3cret"})
	c := app.Client()
	if r := c.Get("/metrics"); r.Status != http.StatusUnauthorized {
		t.Errorf("metrics without token: got %d, want 401", r.Status)
	}
	c.Header.Set("X-Metrics-Token", "s3cret")
	if r := c.Get("/metrics"); r.Status != http.StatusOK {
		t.Errorf("metrics with token: got %d, want 200", r.Status)
	}
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	app := servertest.New(t, storetest.SQLite, nil)
	r := app.Client().Get("/")
	for h, want := range map[string]string{
		"Content-Security-Policy": "default-src 'self'", "X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
	} {
		if !strings.Contains(r.Header.Get(h), want) {
			t.Errorf("%s: got %q, want %q", h, r.Header.Get(h), want)
		}
	}
}
