package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeModule lays out what `go mod download -json golang.org/x/vulndb@V`
// leaves behind (an extracted module with data/osv and an .info file) and
// returns the JSON that command prints.
func fakeModule(t *testing.T, version, commitTime string, entries map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	osv := filepath.Join(dir, "data", "osv")
	if err := os.MkdirAll(osv, 0o755); err != nil {
		t.Fatal(err)
	}
	for id, body := range entries {
		if err := os.WriteFile(filepath.Join(osv, id+".json"), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	info := filepath.Join(dir, version+".info")
	if err := os.WriteFile(info, []byte(`{"Version":"`+version+`","Time":"`+commitTime+`"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(download{Version: version, Info: info, Dir: dir})
	return string(b)
}

// As x/vulndb publishes them: no dates, one entry naming two modules.
const (
	stdlibEntry = `{"schema_version":"1.3.1","id":"GO-2026-6609","modified":"0001-01-01T00:00:00Z",
		"summary":"Lack of limit on size of parsed Range headers in net/http",
		"affected":[{"package":{"name":"stdlib","ecosystem":"Go"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.26.9"}]}]},
		            {"package":{"name":"toolchain","ecosystem":"Go"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.26.9"}]}]}]}`
	moduleEntry = `{"schema_version":"1.3.1","id":"GO-2020-0001","modified":"0001-01-01T00:00:00Z","summary":"<b>&",
		"affected":[{"package":{"name":"example.com/m","ecosystem":"Go"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.2.0"}]}]}]}`
)

func TestBuildsTheIndexesGovulncheckReads(t *testing.T) {
	cache := filepath.Join(t.TempDir(), "cache")
	in := fakeModule(t, "v0.0.0-20261105234957-e22db6528018", "2026-11-05T23:49:57Z",
		map[string]string{"GO-2026-6609": stdlibEntry, "GO-2020-0001": moduleEntry})

	db, err := run(strings.NewReader(in), os.Stderr, cache)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(cache, "vulndb-v0.0.0-20261105234957-e22db6528018"); db != want {
		t.Fatalf("database at %s, want %s", db, want)
	}

	var modules []module
	readJSON(t, filepath.Join(db, "index", "modules.json"), &modules)
	got := map[string][]string{}
	for _, m := range modules {
		for _, v := range m.Vulns {
			got[m.Path] = append(got[m.Path], v.ID)
			if v.Modified.Format("2006-01-02") != "2026-11-05" {
				t.Errorf("%s in %s: modified %v, want the module's commit time", v.ID, m.Path, v.Modified)
			}
		}
	}
	want := map[string]string{"example.com/m": "GO-2020-0001", "stdlib": "GO-2026-6609", "toolchain": "GO-2026-6609"}
	if len(got) != len(want) {
		t.Errorf("modules.json lists %v, want %v", got, want)
	}
	for path, id := range want {
		if len(got[path]) != 1 || got[path][0] != id {
			t.Errorf("modules.json: %s has %v, want [%s]", path, got[path], id)
		}
	}

	var meta struct{ Modified string }
	readJSON(t, filepath.Join(db, "index", "db.json"), &meta)
	if meta.Modified != "2026-11-05T23:49:57Z" {
		t.Errorf("db.json modified %q, want the module's commit time", meta.Modified)
	}

	var e map[string]any
	readJSON(t, filepath.Join(db, "ID", "GO-2020-0001.json"), &e)
	if e["summary"] != "<b>&" || e["modified"] != "2026-11-05T23:49:57Z" || e["affected"] == nil {
		t.Errorf("ID/GO-2020-0001.json = %v: fields lost or not dated", e)
	}
}

func TestOfflineUsesTheLastDatabaseAndSaysHowOld(t *testing.T) {
	cache := filepath.Join(t.TempDir(), "cache")
	in := fakeModule(t, "v0.0.0-20261001000000-aaaaaaaaaaaa", "2026-10-01T00:00:00Z",
		map[string]string{"GO-2020-0001": moduleEntry})
	first, err := run(strings.NewReader(in), os.Stderr, cache)
	if err != nil {
		t.Fatal(err)
	}

	var warn strings.Builder
	failed := `{"Path":"golang.org/x/vulndb","Version":"latest","Error":"module lookup disabled by GOPROXY=off"}`
	db, err := run(strings.NewReader(failed), &warn, cache)
	if err != nil {
		t.Fatal(err)
	}
	if db != first {
		t.Errorf("offline run used %s, want the last database %s", db, first)
	}
	if !strings.Contains(warn.String(), "GOPROXY=off") || !strings.Contains(warn.String(), "2026-10-01") {
		t.Errorf("warning %q should give the reason and the database's date", warn.String())
	}
}

func TestOfflineWithoutADatabaseFails(t *testing.T) {
	_, err := run(strings.NewReader(`{"Error":"dial tcp: no route to host"}`), os.Stderr, t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "no route to host") {
		t.Fatalf("err = %v, want a failure that gives the download's error", err)
	}
}

func TestANewVersionReplacesTheOldDatabase(t *testing.T) {
	cache := filepath.Join(t.TempDir(), "cache")
	old, err := run(strings.NewReader(fakeModule(t, "v0.0.0-20261001000000-aaaaaaaaaaaa", "2026-10-01T00:00:00Z",
		map[string]string{"GO-2020-0001": moduleEntry})), os.Stderr, cache)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := run(strings.NewReader(fakeModule(t, "v0.0.0-20261105234957-e22db6528018", "2026-11-05T23:49:57Z",
		map[string]string{"GO-2026-6609": stdlibEntry})), os.Stderr, cache); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Errorf("old database %s still there (err %v)", old, err)
	}
	left, _ := filepath.Glob(filepath.Join(cache, "*"))
	if len(left) != 2 { // the new database and "current"
		t.Errorf("cache holds %v, want the new database and %s only", left, currentFile)
	}
}

func readJSON(t *testing.T, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}
