package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"ideasx/server/auth"
	"ideasx/store"
	"ideasx/store/storetest"
)

var buildOnce = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "ideasx-bin")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "ideasx")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", &buildError{out: string(out), err: err}
	}
	return bin, nil
})

type buildError struct {
	out string
	err error
}

func (e *buildError) Error() string { return e.err.Error() + "\n" + e.out }

// process is a running `ideasx serve` and the log lines it printed.
type process struct {
	cmd   *exec.Cmd
	lines chan map[string]any
	url   string
	logs  bytes.Buffer
	mu    sync.Mutex
}

// startServe runs the real binary in dir with only the given variables set,
// as a newcomer would run it, and waits until it listens.
func startServe(t *testing.T, dir string, vars ...string) *process {
	t.Helper()
	bin, err := buildOnce()
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	cmd := exec.Command(bin)
	cmd.Dir = dir
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir}, vars...)
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &process{cmd: cmd, lines: make(chan map[string]any, 100)}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			p.mu.Lock()
			p.logs.WriteString(sc.Text() + "\n")
			p.mu.Unlock()
			var rec map[string]any
			if json.Unmarshal(sc.Bytes(), &rec) == nil {
				p.lines <- rec
			}
		}
		close(p.lines)
	}()
	p.waitFor(t, "listening")
	return p
}

// waitFor returns the first log record with message msg.
func (p *process) waitFor(t *testing.T, msg string) map[string]any {
	t.Helper()
	timeout := time.After(60 * time.Second)
	for {
		select {
		case rec, ok := <-p.lines:
			if !ok {
				p.mu.Lock()
				defer p.mu.Unlock()
				t.Fatalf("serve exited before logging %q:\n%s", msg, p.logs.String())
			}
			if rec["msg"] == "listening" {
				p.url = "http://" + strings.Replace(rec["addr"].(string), "0.0.0.0", "127.0.0.1", 1)
			}
			if strings.HasPrefix(rec["msg"].(string), msg) {
				return rec
			}
		case <-timeout:
			t.Fatalf("serve did not log %q within a minute", msg)
		}
	}
}

func TestFreshStartServesHomeAndSetupLinkWorksOnce(t *testing.T) {
	dir := t.TempDir()
	p := startServe(t, dir, "IDEASX_ADDR=127.0.0.1:0")
	p.mu.Lock()
	logs := p.logs.String()
	p.mu.Unlock()
	var setupURL string
	for _, line := range strings.Split(logs, "\n") {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) == nil && rec["setup_url"] != nil {
			setupURL = rec["setup_url"].(string)
		}
	}
	if setupURL == "" {
		t.Fatalf("no setup link in the log:\n%s", logs)
	}
	if _, err := os.Stat(filepath.Join(dir, "data", "ideasx.db")); err != nil {
		t.Errorf("no SQLite database under ./data: %v", err)
	}
	home := get(t, p.url+"/")
	if home.StatusCode != http.StatusOK {
		t.Fatalf("home: %d", home.StatusCode)
	}
	// The printed link uses the default base URL (localhost:<port>); ask the real listener.
	setupPath := setupURL[strings.Index(setupURL, "/setup/"):]
	form := url.Values{"name": {"First Admin"}, "email": {"admin@secretariat.example"}, "password": {"a very good password"},
		"password_confirm": {"a very good password"}, "organisation": {"Secretariat"}}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	r, err := noRedirect.PostForm(p.url+setupPath, form)
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("setup: got %d, want 303", r.StatusCode)
	}
	form.Set("email", "intruder@x.example")
	r, err = noRedirect.PostForm(p.url+setupPath, form)
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusGone {
		t.Errorf("second setup: got %d, want 410", r.StatusCode)
	}

	// SIGTERM drains and exits cleanly.
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	p.waitFor(t, "stopped")
	if err := p.cmd.Wait(); err != nil {
		t.Errorf("exit after SIGTERM: %v", err)
	}

	// A restart with an admin in place prints no setup link.
	p2 := startServe(t, dir, "IDEASX_ADDR=127.0.0.1:0")
	p2.mu.Lock()
	defer p2.mu.Unlock()
	if strings.Contains(p2.logs.String(), "setup_url") {
		t.Error("a setup link was printed although an admin exists")
	}
}

func get(t *testing.T, u string) *http.Response {
	t.Helper()
	r, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, r.Body)
	r.Body.Close()
	return r
}

func TestTwoInstancesStartAtOnceOnOnePostgres(t *testing.T) {
	dsn := storetest.NewPostgresSchema(t)
	var wg sync.WaitGroup
	procs := make([]*process, 2)
	for i := range procs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			procs[i] = startServe(t, t.TempDir(), "IDEASX_ADDR=127.0.0.1:0", "IDEASX_DATABASE_URL="+dsn)
		}()
	}
	wg.Wait()
	for i, p := range procs {
		if p == nil {
			t.Fatalf("instance %d did not start", i)
		}
		if r := get(t, p.url+"/readyz"); r.StatusCode != http.StatusOK {
			t.Errorf("instance %d readyz: %d", i, r.StatusCode)
		}
	}
}

func runCmd(t *testing.T, stdin string, vars map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errOut,
		getenv: func(k string) string { return vars[k] }})
	return code, out.String(), errOut.String()
}

func TestUserAndTokenCreate(t *testing.T) {
	for _, e := range storetest.Engines {
		t.Run(string(e), func(t *testing.T) {
			vars := map[string]string{"IDEASX_DATA_DIR": t.TempDir(), "IDEASX_LOG_LEVEL": "warn"}
			if e == storetest.Postgres {
				vars["IDEASX_DATABASE_URL"] = storetest.NewPostgresSchema(t)
			}
			code, out, errOut := runCmd(t, "an admin password\n", vars, "user", "create", "--email", "Admin@Secretariat.example", "--name", "Ada Admin", "--role", "admin", "--org", "Secretariat")
			if code != 0 || !strings.Contains(out, "admin@secretariat.example") {
				t.Fatalf("user create: %d %s %s", code, out, errOut)
			}
			code, _, errOut = runCmd(t, "another password\n", vars, "user", "create", "--email", "ADMIN@secretariat.example", "--name", "Again", "--org", "X")
			if code != 1 || !strings.Contains(errOut, "already exists") {
				t.Errorf("duplicate user: %d %s", code, errOut)
			}
			code, _, errOut = runCmd(t, "", vars, "user", "create", "--email", "x@y.example", "--name", "X", "--org", "X")
			if code != 1 || !strings.Contains(errOut, "standard input") {
				t.Errorf("no password: %d %s", code, errOut)
			}
			code, _, errOut = runCmd(t, "long enough pw\n", vars, "user", "create", "--email", "x@y.example", "--name", "X", "--org", "X", "--role", "king")
			if code != 1 || !strings.Contains(errOut, "--role") {
				t.Errorf("bad role: %d %s", code, errOut)
			}

			code, out, errOut = runCmd(t, "", vars, "token", "create", "--email", "admin@secretariat.example", "--name", "ci")
			if code != 0 {
				t.Fatalf("token create: %d %s", code, errOut)
			}
			lines := strings.Split(strings.TrimSpace(out), "\n")
			token := lines[len(lines)-1]
			if !strings.HasPrefix(token, auth.APITokenPrefix) || strings.Contains(token, " ") {
				t.Fatalf("last line is not the token alone: %q", token)
			}
			st, err := store.Open(context.Background(), store.Options{DatabaseURL: vars["IDEASX_DATABASE_URL"], DataDir: vars["IDEASX_DATA_DIR"]})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			u, err := st.UserByAPIToken(context.Background(), auth.HashToken(token))
			if err != nil || u.Email != "admin@secretariat.example" || u.Role != store.RoleAdmin {
				t.Errorf("the printed token does not authenticate the admin: %v %v", u, err)
			}
			if code, _, errOut := runCmd(t, "", vars, "token", "create", "--email", "nobody@x.example", "--name", "ci"); code != 1 || !strings.Contains(errOut, "no account") {
				t.Errorf("token for unknown account: %d %s", code, errOut)
			}
		})
	}
}

func TestMigrateCommandIsIdempotent(t *testing.T) {
	vars := map[string]string{"IDEASX_DATA_DIR": t.TempDir()}
	code, out, errOut := runCmd(t, "", vars, "migrate")
	if code != 0 || strings.Contains(out, "applied 0 migration") || !strings.Contains(out, "schema version") {
		t.Fatalf("first migrate: %d %q %q", code, out, errOut)
	}
	code, out, _ = runCmd(t, "", vars, "migrate")
	if code != 0 || !strings.Contains(out, "applied 0 migration") {
		t.Errorf("second migrate: %d %q", code, out)
	}
}

func TestServeHelpListsSettings(t *testing.T) {
	code, _, errOut := runCmd(t, "", nil, "serve", "--help")
	if code != 0 {
		t.Fatalf("help exit %d", code)
	}
	for _, v := range []string{"IDEASX_ADDR", "IDEASX_DATA_DIR", "IDEASX_DATABASE_URL", "IDEASX_REDIS_URL", "IDEASX_BASE_URL", "IDEASX_SMTP_URL", "IDEASX_MAX_UPLOAD_MB"} {
		if !strings.Contains(errOut, v) {
			t.Errorf("serve --help lacks %s", v)
		}
	}
	if code, _, _ := runCmd(t, "", nil, "frobnicate"); code != 2 {
		t.Errorf("unknown command: exit %d, want 2", code)
	}
}
