package server_test

import (
	"encoding/json"
	"net/http"
	"runtime"
	"strings"
	"testing"

	"ideasx/server/buildinfo"
	"ideasx/server/servertest"
	"ideasx/store/storetest"
)

func TestHealthzAndMetricsNameTheBuild(t *testing.T) {
	t.Parallel()
	app := servertest.New(t, storetest.SQLite, nil)
	c := app.Client()
	bi := buildinfo.Get()

	r := c.Get("/healthz")
	var body struct{ Status, Version string }
	if err := json.Unmarshal([]byte(r.Body), &body); err != nil || r.Status != http.StatusOK {
		t.Fatalf("healthz: got %d %q (%v), want 200 and JSON", r.Status, r.Body, err)
	}
	if body.Status != "ok" || body.Version == "" || body.Version != bi.Version {
		t.Errorf("healthz: got %+v, want status ok and version %q", body, bi.Version)
	}

	m := c.Get("/metrics").Body
	want := `ideasx_build_info{commit="` + bi.Commit + `",go_version="` + runtime.Version() + `",version="` + bi.Version + `"} 1`
	if !strings.Contains(m, want) {
		t.Errorf("metrics lack %s", want)
	}
}
