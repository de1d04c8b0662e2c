package main

import (
	"net"
	"strings"
	"testing"

	"ideasx/server/servertest"
	"ideasx/store/storetest"
)

// TestHealthcheckAsksTheServerHere: the container's probe exits 0 while
// the server on IDEASX_ADDR is ready, and 1, saying why, when nothing
// answers there.
func TestHealthcheckAsksTheServerHere(t *testing.T) {
	app := servertest.New(t, storetest.SQLite, nil)
	addr := strings.TrimPrefix(app.URL, "http://")
	code, out, errOut := runCmd(t, "", map[string]string{"IDEASX_ADDR": addr}, "healthcheck")
	if code != 0 || !strings.Contains(out, `"database"`) {
		t.Errorf("ready server: exit %d, out %q, err %q", code, out, errOut)
	}

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	code, _, errOut = runCmd(t, "", map[string]string{"IDEASX_ADDR": closed}, "healthcheck")
	if code != 1 || !strings.Contains(errOut, "not ready") {
		t.Errorf("nothing listening: exit %d, err %q, want 1 and 'not ready'", code, errOut)
	}
}

func TestReadyURLReachesAllInterfacesThroughLoopback(t *testing.T) {
	for addr, want := range map[string]string{
		":8080":          "http://127.0.0.1:8080/readyz",
		"0.0.0.0:9000":   "http://127.0.0.1:9000/readyz",
		"[::]:9000":      "http://127.0.0.1:9000/readyz",
		"10.1.2.3:8080":  "http://10.1.2.3:8080/readyz",
		"[::1]:8080":     "http://[::1]:8080/readyz",
		"localhost:8080": "http://localhost:8080/readyz",
	} {
		if got, err := readyURL(addr); err != nil || got != want {
			t.Errorf("readyURL(%q) = %q, %v; want %q", addr, got, err, want)
		}
	}
}
