package main

import (
	"errors"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lib/pq"

	"ideasx/store/storetest"
)

// serveFails runs `ideasx serve` in-process, expecting it to give up at
// once, and returns what it printed.
func serveFails(t *testing.T, vars map[string]string) string {
	t.Helper()
	start := time.Now()
	code, _, errOut := runCmd(t, "", vars, "serve")
	if code == 0 {
		t.Fatalf("serve succeeded with %v", vars)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("serve took %s to give up, want at once", d.Round(time.Second))
	}
	return errOut
}

func TestServeRefusesATakenPortBeforeTouchingTheDatabase(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	dir := t.TempDir()
	out := serveFails(t, map[string]string{"IDEASX_ADDR": ln.Addr().String(), "IDEASX_DATA_DIR": dir})
	if lines := strings.Split(strings.TrimSpace(out), "\n"); !strings.Contains(lines[len(lines)-1], ln.Addr().String()) ||
		!strings.Contains(lines[len(lines)-1], "address already in use") {
		t.Errorf("got %q, want a last line naming %s and why", out, ln.Addr())
	}
	if strings.Contains(out, "setup_url") {
		t.Error("a setup link was printed by an instance that cannot serve it")
	}
	if _, err := os.Stat(filepath.Join(dir, "ideasx.db")); err == nil {
		t.Error("the database was created before the port was bound")
	}
}

func TestServeStartupErrorsNameTheirCause(t *testing.T) {
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		vars map[string]string
		want []string
	}{
		{"garbage address", map[string]string{"IDEASX_ADDR": "garbage"}, []string{"IDEASX_ADDR", "garbage"}},
		{"unwritable data dir", map[string]string{"IDEASX_ADDR": "127.0.0.1:0", "IDEASX_DATA_DIR": filepath.Join(file, "data")},
			[]string{filepath.Join(file, "data"), "not a directory"}},
		{"redis with sqlite", map[string]string{"IDEASX_ADDR": "127.0.0.1:0", "IDEASX_REDIS_URL": "redis://127.0.0.1:6379/15"},
			[]string{"IDEASX_DATABASE_URL", "SQLite"}},
		{"base url with a path", map[string]string{"IDEASX_BASE_URL": "https://example.org/ideas"}, []string{"IDEASX_BASE_URL", "root"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := serveFails(t, tc.vars)
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("got %q, want it to say %q", out, w)
				}
			}
			if strings.Contains(tc.name, "address") && strings.Contains(out, "BASE_URL") {
				t.Errorf("a bad IDEASX_ADDR is blamed on the base URL: %q", out)
			}
		})
	}
}

func TestPermanentDatabaseErrorsFailAtOnceWithoutThePassword(t *testing.T) {
	for _, raw := range []string{
		"postgres://ideasx:s3cretpw@127.0.0.1:notaport/ideasx?sslmode=disable",
		"postgres://ideasx:s3cretpw@db host/ideasx",
	} {
		out := serveFails(t, map[string]string{"IDEASX_ADDR": "127.0.0.1:0", "IDEASX_DATABASE_URL": raw, "IDEASX_LOG_FORMAT": "text"})
		if strings.Contains(out, "s3cretpw") {
			t.Errorf("%s: the password was printed:\n%s", raw, out)
		}
		if strings.Contains(out, "retrying") {
			t.Errorf("%s: a malformed URL was retried:\n%s", raw, out)
		}
	}
	// A role that does not exist (28000): the test server trusts any password.
	role, err := url.Parse(storetest.NewPostgresSchema(t))
	if err != nil {
		t.Fatal(err)
	}
	role.User = url.UserPassword("ideasx_no_such_role", "s3cretpw")
	out := serveFails(t, map[string]string{"IDEASX_ADDR": "127.0.0.1:0", "IDEASX_DATABASE_URL": role.String()})
	if strings.Contains(out, "s3cretpw") || strings.Contains(out, "retrying") || !strings.Contains(out, "ideasx_no_such_role") {
		t.Errorf("unknown role: got\n%s\nwant one error naming the role, no retries, no password", out)
	}
	code, _, errOut := runCmd(t, "", map[string]string{"IDEASX_DATABASE_URL": role.String()}, "migrate", "--database-url", role.String())
	if code != 1 || strings.Contains(errOut, "s3cretpw") {
		t.Errorf("migrate with an unknown role: exit %d %q, want 1 and no password", code, errOut)
	}

	// A database that does not exist.
	u, err := url.Parse(storetest.NewPostgresSchema(t))
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword("postgres", "s3cretpw")
	u.Path = "/ideasx_no_such_database"
	out = serveFails(t, map[string]string{"IDEASX_ADDR": "127.0.0.1:0", "IDEASX_DATABASE_URL": u.String()})
	if strings.Contains(out, "s3cretpw") || strings.Contains(out, "retrying") || !strings.Contains(out, "does not exist") {
		t.Errorf("missing database: got\n%s\nwant one error saying it does not exist, no retries, no password", out)
	}
}

func TestPermanentDBErrorClassification(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{&pq.Error{Code: "28P01"}, true},
		{&pq.Error{Code: "28000"}, true},
		{&pq.Error{Code: "3D000"}, true},
		{&pq.Error{Code: "57P03"}, false}, // the database system is starting up
		{&url.Error{Op: "parse", URL: "x", Err: errors.New("bad")}, true},
		{&net.OpError{Op: "dial", Err: os.NewSyscallError("connect", errors.New("connection refused"))}, false},
	} {
		if got := permanentDBError(tc.err); got != tc.want {
			t.Errorf("%v: got %v, want %v", tc.err, got, tc.want)
		}
	}
}

func TestServeWarnsAboutUnknownVariables(t *testing.T) {
	p := startServe(t, t.TempDir(), "IDEASX_ADDR=127.0.0.1:0", "IDEASX_DATABSE_URL=postgres://x", "IDEASX_TEST_ANYTHING=1")
	p.mu.Lock()
	logs := p.logs.String()
	p.mu.Unlock()
	if !strings.Contains(logs, `"variable":"IDEASX_DATABSE_URL","did_you_mean":"IDEASX_DATABASE_URL"`) {
		t.Errorf("no warning about IDEASX_DATABSE_URL:\n%s", logs)
	}
	if strings.Contains(logs, "IDEASX_TEST_ANYTHING") {
		t.Errorf("a test variable was warned about:\n%s", logs)
	}
}
