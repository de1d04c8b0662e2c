package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"ideasx/server/internal/benchenv"
)

const benchPassword = "livebench-password-42"

// prepare builds the binary and makes a migrated database with a business
// (who posts) and a member (whose token the readers use).
func (b *bench) prepare(ctx context.Context) error {
	tmp, remove, err := benchenv.ScratchDir("livebench-", b.cfg.keep, logf)
	if err != nil {
		return err
	}
	b.tmp = tmp
	b.onCleanup(remove)

	if b.bin = b.cfg.bin; b.bin == "" {
		if err := b.build(ctx); err != nil {
			return err
		}
	}

	if b.cfg.chaos == "postgres" {
		// Never the machine's Postgres: other tests use it.
		pg, err := startPrivatePostgres(ctx, tmp)
		if pg != nil {
			b.onCleanup(func() { pg.remove(b.cfg.keep) })
		}
		if err != nil {
			return err
		}
		b.pg, b.cfg.dbURL = pg, pg.url()
		logf("private Postgres at 127.0.0.1:%d (pid %d, data in %s)", pg.port, pg.cmd.Process.Pid, pg.dir)
	}
	if err := b.newSchema(ctx); err != nil {
		return err
	}
	if _, err := b.cli(ctx, "", "migrate"); err != nil {
		return err
	}
	for _, u := range []struct{ email, name, role, org string }{
		{"poster@livebench.example", "Bench Poster", "business", "Bench Trading Co"},
		{"reader@livebench.example", "Bench Reader", "member", "Bench Ministry"},
	} {
		if _, err := b.cli(ctx, benchPassword+"\n", "user", "create", "--email", u.email, "--name", u.name, "--role", u.role, "--org", u.org); err != nil {
			return err
		}
	}
	if b.posterToken, err = b.token(ctx, "poster@livebench.example"); err != nil {
		return err
	}
	b.readerToken, err = b.token(ctx, "reader@livebench.example")
	return err
}

// pprofOverlay adds net/http/pprof to this run's binary only, through a
// build overlay: the server's code is not touched, and nothing of it
// reaches a build other than the benchmark's. Each instance serves it on
// the address in LIVEBENCH_PPROF_ADDR.
func pprofOverlay(tmp, root string) (string, error) {
	src := filepath.Join(tmp, "livebench_pprof.go")
	code := `package main

import (
	"net/http"
	_ "net/http/pprof"
	"os"
)

func init() {
	if addr := os.Getenv("LIVEBENCH_PPROF_ADDR"); addr != "" {
		go func() { _ = http.ListenAndServe(addr, nil) }()
	}
}
`
	if err := os.WriteFile(src, []byte(code), 0o644); err != nil {
		return "", err
	}
	overlay := filepath.Join(tmp, "overlay.json")
	data, err := json.Marshal(map[string]any{"Replace": map[string]string{filepath.Join(root, "cmd", "ideasx", "zz_livebench_pprof.go"): src}})
	if err != nil {
		return "", err
	}
	return overlay, os.WriteFile(overlay, data, 0o644)
}

// build compiles ./cmd/ideasx of the module this runs in.
func (b *bench) build(ctx context.Context) error {
	root, err := moduleRoot(ctx)
	if err != nil {
		return err
	}
	b.bin = filepath.Join(b.tmp, "ideasx")
	logf("building %s", b.bin)
	args := []string{"build", "-o", b.bin}
	if b.cfg.serverPprof {
		overlay, err := pprofOverlay(b.tmp, root)
		if err != nil {
			return err
		}
		args = append(args, "-overlay", overlay)
	}
	build := exec.CommandContext(ctx, "go", append(args, "./cmd/ideasx")...)
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %v\n%s", err, out)
	}
	return nil
}

func moduleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", fmt.Errorf("run livebench inside the ideasx module (e.g. `make bench-live`)")
	}
	return filepath.Dir(mod), nil
}

// newSchema makes an empty schema for this run, dropped at the end, and
// points every instance at it through search_path.
func (b *bench) newSchema(ctx context.Context) error {
	dbURL, drop, err := benchenv.CreateSchema(ctx, b.cfg.dbURL, b.cfg.keep, logf)
	if err != nil {
		return err
	}
	b.onCleanup(drop)
	b.dbURL = dbURL
	return nil
}

// env is what every ideasx process gets; later entries win over the
// caller's environment.
func (b *bench) env(extra ...string) []string {
	env := append(os.Environ(),
		"IDEASX_DATABASE_URL="+b.dbURL,
		"IDEASX_DATA_DIR="+filepath.Join(b.tmp, "data"),
		"IDEASX_LOG_LEVEL="+b.cfg.logLevel,
	)
	return append(env, extra...)
}

// cli runs an ideasx command and returns its standard output.
func (b *bench) cli(ctx context.Context, stdin string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, b.bin, args...)
	cmd.Env = b.env()
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("ideasx %s: %v\n%s%s", strings.Join(args, " "), err, out.String(), errOut.String())
	}
	return out.String(), nil
}

func (b *bench) token(ctx context.Context, email string) (string, error) {
	out, err := b.cli(ctx, "", "token", "create", "--email", email, "--name", "livebench")
	if err != nil {
		return "", err
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	return strings.TrimSpace(lines[len(lines)-1]), nil
}
