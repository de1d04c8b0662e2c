package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"ideasx/server/internal/benchenv"
)

type bench struct {
	cfg      config
	tmp      string
	bin      string
	dbURL    string // the server's IDEASX_DATABASE_URL; empty for SQLite
	baseURL  string
	seed     seeded
	server   *exec.Cmd
	exited   chan struct{}
	logPath  string
	cleanups []func()
}

func (b *bench) onCleanup(f func()) { b.cleanups = append(b.cleanups, f) }

// cleanup undoes the set-up in reverse order: the server stops before its
// database is dropped.
func (b *bench) cleanup() {
	for i := len(b.cleanups) - 1; i >= 0; i-- {
		b.cleanups[i]()
	}
}

func (b *bench) run(ctx context.Context) error {
	load := loadAverage()
	tmp, remove, err := benchenv.ScratchDir("httpbench-", b.cfg.keep, logf)
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
	if b.cfg.engine == "postgres" {
		if err := b.createDatabase(ctx); err != nil {
			return err
		}
	}
	start := time.Now()
	if b.seed, err = seed(ctx, b.storeOptions()); err != nil {
		return err
	}
	logf("seeded a thread of %d posts and %d documents in %s", threadPosts, libraryDocuments, time.Since(start).Round(time.Millisecond))
	if err := b.startServer(ctx); err != nil {
		return err
	}
	results, err := b.measure(ctx)
	if err != nil {
		return err
	}
	report(b.cfg, load, results)
	return nil
}

// adminURL is the maintenance database of the server that url points at:
// the run's own database is created from there.
func adminURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	u.Path = "/postgres"
	return u.String()
}

// createDatabase makes a database of this run only, with a name no other
// run shares, and drops it at the end.
func (b *bench) createDatabase(ctx context.Context) error {
	dbURL, drop, err := benchenv.CreateDatabase(ctx, b.cfg.adminURL, b.cfg.keep, logf)
	if err != nil {
		return err
	}
	b.onCleanup(drop)
	b.dbURL = dbURL
	return nil
}

// build compiles ./cmd/ideasx of the module this runs in.
func (b *bench) build(ctx context.Context) error {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return fmt.Errorf("run httpbench inside the ideasx module (e.g. `make bench-http`)")
	}
	b.bin = filepath.Join(b.tmp, "ideasx")
	logf("building %s", b.bin)
	build := exec.CommandContext(ctx, "go", "build", "-o", b.bin, "./cmd/ideasx")
	build.Dir = filepath.Dir(mod)
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %v\n%s", err, out)
	}
	return nil
}

func (b *bench) dataDir() string { return filepath.Join(b.tmp, "data") }

// startServer runs `ideasx serve` on a free port and waits until it is ready.
func (b *bench) startServer(ctx context.Context) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	b.baseURL = "http://127.0.0.1:" + strconv.Itoa(port)
	b.logPath = filepath.Join(b.tmp, "serve.log")
	logFile, err := os.Create(b.logPath)
	if err != nil {
		return err
	}
	cmd := exec.Command(b.bin, "serve")
	cmd.Env = append(os.Environ(),
		"IDEASX_DATABASE_URL="+b.dbURL,
		"IDEASX_DATA_DIR="+b.dataDir(),
		"IDEASX_ADDR=127.0.0.1:"+strconv.Itoa(port),
		"IDEASX_BASE_URL="+b.baseURL,
		"IDEASX_LOG_LEVEL="+b.cfg.logLevel,
		"IDEASX_REDIS_URL=", // one instance: no broker
	)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	// Its own process group, so that a Ctrl-C reaches the bench alone, which
	// stops the server before dropping its database; it dies with the bench.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return err
	}
	b.server, b.exited = cmd, make(chan struct{})
	go func() {
		_ = cmd.Wait()
		logFile.Close()
		close(b.exited)
	}()
	b.onCleanup(b.stopServer)

	switch err := benchenv.WaitOK(ctx, b.baseURL+"/readyz", b.exited); {
	case err == nil:
		logf("server ready at %s (pid %d, log %s)", b.baseURL, cmd.Process.Pid, b.logPath)
		return nil
	case errors.Is(err, benchenv.ErrExited):
		return fmt.Errorf("server exited during start-up:\n%s", tail(b.logPath))
	case errors.Is(err, benchenv.ErrTimeout):
		return fmt.Errorf("server not ready after 60s:\n%s", tail(b.logPath))
	default:
		return err
	}
}

func (b *bench) stopServer() {
	_ = b.server.Process.Signal(syscall.SIGTERM)
	select {
	case <-b.exited:
	case <-time.After(20 * time.Second):
		_ = b.server.Process.Kill()
		<-b.exited
	}
}

// tail is the end of a log, for an error message.
func tail(path string) string {
	data, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-20):], "\n")
}

// loadAverage is the machine's one-minute load average and its CPUs, as
// a reader of the figures needs them.
func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return "unknown"
	}
	return fmt.Sprintf("%s %s %s", f[0], f[1], f[2])
}
