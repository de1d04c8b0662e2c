package main

import (
	"io"
	"net/http"
	"net/http/httptrace"
	"strings"
	"syscall"
	"testing"
	"time"
)

// With IDEASX_SHUTDOWN_DELAY, SIGTERM first takes the instance out of a
// load balancer's rotation (/readyz 503) while pages, and the proxy's
// kept-alive connections, go on working; only then does it drain and exit.
func TestShutdownDelayServesOnNotReadyThenExits(t *testing.T) {
	const delay = 3 * time.Second
	p := startServe(t, t.TempDir(), "IDEASX_ADDR=127.0.0.1:0", "IDEASX_SHUTDOWN_DELAY="+delay.String())
	// One client, as a proxy keeps one connection to each upstream.
	client := &http.Client{Timeout: 5 * time.Second}
	fetch := func(path string) (int, string, bool) {
		t.Helper()
		var reused bool
		req, _ := http.NewRequest(http.MethodGet, p.url+path, nil)
		req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
			GotConn: func(info httptrace.GotConnInfo) { reused = info.Reused },
		}))
		r, err := client.Do(req)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		body, _ := io.ReadAll(r.Body)
		r.Body.Close()
		return r.StatusCode, string(body), reused
	}
	if code, body, _ := fetch("/readyz"); code != http.StatusOK {
		t.Fatalf("readyz before SIGTERM: %d %s", code, body)
	}

	sent := time.Now()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	p.waitFor(t, "not ready any more")
	if code, body, _ := fetch("/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "shutting down") {
		t.Errorf("readyz during the delay: %d %s, want 503 saying it is shutting down", code, body)
	}
	code, _, reused := fetch("/")
	if code != http.StatusOK {
		t.Errorf("home during the delay: %d, want 200", code)
	}
	if !reused {
		t.Error("the kept-alive connection was not reused during the delay: a proxy's would have failed")
	}
	if code, _, _ := fetch("/healthz"); code != http.StatusOK {
		t.Errorf("healthz during the delay: %d, want 200 (alive, only not ready)", code)
	}

	p.waitFor(t, "stopped")
	if err := p.cmd.Wait(); err != nil {
		t.Errorf("exit after SIGTERM: %v", err)
	}
	if took := time.Since(sent); took < delay {
		t.Errorf("exited %s after SIGTERM, before the %s delay was over", took.Round(time.Millisecond), delay)
	}
}
