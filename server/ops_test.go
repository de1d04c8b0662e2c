package server_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"ideasx/server"
	"ideasx/server/config"
	"ideasx/server/live"
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
		engine := app.Store.Engine()
		for _, want := range []string{`ideasx_http_requests_total{code="200",method="GET",route="GET /{$}"}`, "go_goroutines",
			`go_sql_open_connections{db_name="` + engine + `"}`} {
			if !strings.Contains(m.Body, want) {
				t.Errorf("metrics lack %s", want)
			}
		}
		// Postgres writes replies through a pool of its own (store/reply_pool.go).
		replies := `go_sql_max_open_connections{db_name="postgres_replies"} 4`
		if got := strings.Contains(m.Body, replies); got != (engine == "postgres") {
			t.Errorf("metrics show the reply pool (%s): %v, want it on Postgres only", replies, got)
		}
		if id := r.Header.Get("X-Request-Id"); len(id) != 16 || !strings.Contains(app.Logs(), `"request_id":"`+id+`"`) {
			t.Errorf("request id %q is not in the logs", id)
		}
	})
}

// Redis only rings the bell between instances: while it is away the
// instance still serves, so it stays ready and says so in the body, the
// metrics and the log (once). Without its database it is not ready.
func TestReadinessNeedsTheDatabaseNotRedis(t *testing.T) {
	t.Parallel()
	// A Redis that refuses connections, as when it is down: a port just closed.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln.Close()
	rdb := redis.NewClient(&redis.Options{Addr: ln.Addr().String(), DialTimeout: 200 * time.Millisecond, MaxRetries: -1})
	defer rdb.Close()

	st := storetest.Open(t, storetest.SQLite)
	cfg, err := config.Parse("serve", nil, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	srv, err := server.New(server.Deps{Config: cfg, Store: st, Logger: log, Mail: &mail.LogSender{Log: log},
		Broker:      live.NewRedisBroker(rdb, "ideasx:readyz-test", log),
		ReadyChecks: []server.ReadyCheck{{Name: "redis", Check: func(ctx context.Context) error { return rdb.Ping(ctx).Err() }}}})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}()
	get := func(path string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		return rec
	}

	for range 3 {
		r := get("/readyz")
		if r.Code != http.StatusOK || !strings.Contains(r.Body.String(), `"database":"ok"`) || !strings.Contains(r.Body.String(), `"redis":"down since `) {
			t.Fatalf("readyz with Redis down: got %d %s, want 200 with the database ok and Redis down", r.Code, r.Body.String())
		}
		if strings.Contains(r.Body.String(), ln.Addr().String()) {
			t.Errorf("readyz body tells Redis's address: %s", r.Body.String())
		}
	}
	if r := get("/"); r.Code != http.StatusOK {
		t.Errorf("home page with Redis down: got %d, want 200", r.Code)
	}
	m := get("/metrics").Body.String()
	for _, want := range []string{`ideasx_dependency_up{dependency="database"} 1`, `ideasx_dependency_up{dependency="redis"} 0`} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if n := strings.Count(logs.String(), `"msg":"dependency down","dependency":"redis"`); n != 1 {
		t.Errorf("log lines of Redis going down after 3 probes and a scrape: got %d, want 1\n%s", n, logs.String())
	}

	// The broker retries with a backoff of 50 ms doubling to 2 s: by now it
	// has failed about five times, and said so once.
	time.Sleep(1600 * time.Millisecond)
	if n := strings.Count(logs.String(), "live: redis subscription lost"); n != 1 {
		t.Errorf("broker's log lines of the lost subscription: got %d, want 1", n)
	}

	st.Close()
	r := get("/readyz")
	if r.Code != http.StatusServiceUnavailable || !strings.Contains(r.Body.String(), `"database":"down since `) {
		t.Errorf("readyz with the database closed: got %d %s, want 503 with the database down", r.Code, r.Body.String())
	}
}

// An outage is one line when it starts and one when it ends, however
// often the probes ask in between.
func TestDependencyChangesAreLoggedOnce(t *testing.T) {
	t.Parallel()
	st := storetest.Open(t, storetest.SQLite)
	cfg, err := config.Parse("serve", nil, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	var down atomic.Bool
	srv, err := server.New(server.Deps{Config: cfg, Store: st, Logger: log, Mail: &mail.LogSender{Log: log},
		ReadyChecks: []server.ReadyCheck{{Name: "redis", Check: func(context.Context) error {
			if down.Load() {
				return errors.New("connection refused")
			}
			return nil
		}}}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown(context.Background())
	probe := func() {
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
		if rec.Code != http.StatusOK {
			t.Errorf("readyz: got %d, want 200", rec.Code)
		}
	}
	for _, d := range []bool{false, false, true, true, true, false, false, true} {
		down.Store(d)
		probe()
	}
	for msg, want := range map[string]int{`"msg":"dependency down","dependency":"redis"`: 2, `"msg":"dependency back","dependency":"redis"`: 1, `"dependency":"database"`: 0} {
		if n := strings.Count(logs.String(), msg); n != want {
			t.Errorf("log lines %s: got %d, want %d", msg, n, want)
		}
	}
}

// syncBuffer is a log buffer the server's goroutines may write to while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
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
