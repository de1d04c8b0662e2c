package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
	"time"
)

// privatePostgres is a Postgres cluster of this run only (-chaos postgres):
// the machine's shared Postgres serves other tests and is never stopped.
// It runs as the postgres user (it refuses root), trusts connections on
// 127.0.0.1, keeps its socket in its own directory, and does not fsync:
// the fault is the server process dying, not the machine, so the kernel
// keeps what it wrote either way.
type privatePostgres struct {
	bin, dir, logPath string
	port              int
	uid, gid          uint32
	cmd               *exec.Cmd
	exited            chan struct{}
}

// postgresBinDir is the newest /usr/lib/postgresql/*/bin holding both
// initdb and postgres (Debian's layout; they are not on PATH).
func postgresBinDir() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(dirs, func(a, b string) int {
		va, _ := strconv.Atoi(filepath.Base(filepath.Dir(a)))
		vb, _ := strconv.Atoi(filepath.Base(filepath.Dir(b)))
		return vb - va
	})
	for _, d := range dirs {
		if fileExists(filepath.Join(d, "initdb")) && fileExists(filepath.Join(d, "postgres")) {
			return d, nil
		}
	}
	return "", fmt.Errorf("-chaos postgres needs the Postgres server binaries (initdb, postgres) under /usr/lib/postgresql/*/bin")
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// startPrivatePostgres makes a fresh cluster in a directory of its own and
// starts it on a free port.
func startPrivatePostgres(ctx context.Context, logDir string) (*privatePostgres, error) {
	bin, err := postgresBinDir()
	if err != nil {
		return nil, err
	}
	p := &privatePostgres{bin: bin, logPath: filepath.Join(logDir, "postgres.log")}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("-chaos postgres as root runs Postgres as the postgres user: %w", err)
		}
		uid, _ := strconv.ParseUint(u.Uid, 10, 32)
		gid, _ := strconv.ParseUint(u.Gid, 10, 32)
		p.uid, p.gid = uint32(uid), uint32(gid)
	} else {
		p.uid, p.gid = uint32(os.Getuid()), uint32(os.Getgid())
	}
	if p.dir, err = os.MkdirTemp("", "livebench-pg-"); err != nil {
		return nil, err
	}
	if err := os.Chown(p.dir, int(p.uid), int(p.gid)); err != nil {
		return p, err
	}
	if p.port, err = freePort(); err != nil {
		return p, err
	}
	initdb := exec.CommandContext(ctx, filepath.Join(bin, "initdb"), "-D", filepath.Join(p.dir, "data"),
		"-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync", "--locale=C")
	initdb.SysProcAttr = p.procAttr()
	if out, err := initdb.CombinedOutput(); err != nil {
		return p, fmt.Errorf("initdb: %v\n%s", err, out)
	}
	return p, p.start(ctx)
}

// procAttr runs a Postgres program as its user, in a process group of its
// own (a Ctrl-C reaches the bench alone), dying with the bench.
func (p *privatePostgres) procAttr() *syscall.SysProcAttr {
	a := &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if uint32(os.Geteuid()) != p.uid {
		a.Credential = &syscall.Credential{Uid: p.uid, Gid: p.gid}
	}
	return a
}

// url is the cluster's own database; the run's schema is made in it.
func (p *privatePostgres) url() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", p.port)
}

// start runs the postmaster itself (not pg_ctl, which would leave it
// without a parent we hold) and returns once it accepts connections, after
// crash recovery when it was killed.
func (p *privatePostgres) start(ctx context.Context) error {
	logFile, err := os.OpenFile(p.logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	p.cmd = exec.Command(filepath.Join(p.bin, "postgres"), "-D", filepath.Join(p.dir, "data"),
		"-p", strconv.Itoa(p.port), "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="+p.dir,
		"-c", "fsync=off", "-c", "max_connections=200", "-c", "shared_buffers=64MB")
	p.cmd.Stdout, p.cmd.Stderr = logFile, logFile
	p.cmd.SysProcAttr = p.procAttr()
	if err := p.cmd.Start(); err != nil {
		logFile.Close()
		return err
	}
	exited := make(chan struct{})
	p.exited = exited
	cmd := p.cmd
	go func() {
		_ = cmd.Wait()
		logFile.Close()
		close(exited)
	}()
	db, err := sql.Open("postgres", p.url())
	if err != nil {
		return err
	}
	defer db.Close()
	deadline := time.Now().Add(60 * time.Second)
	for {
		pctx, cancel := context.WithTimeout(ctx, time.Second)
		err := db.PingContext(pctx)
		cancel()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("private Postgres not accepting connections on %d after 60s (%v):\n%s", p.port, err, tail(p.logPath, 10))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-exited:
			return fmt.Errorf("private Postgres exited at start:\n%s", tail(p.logPath, 10))
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// stopSignals are the postmaster's shutdown modes (pg_ctl stop -m ...):
// immediate ends every backend at once without a checkpoint, so the next
// start recovers from the WAL, as after a crash or an OOM kill; fast ends
// the sessions and checkpoints, as a planned restart does.
var stopSignals = map[string]syscall.Signal{"immediate": syscall.SIGQUIT, "fast": syscall.SIGINT}

// stop shuts it down in the given mode and waits until it has exited.
func (p *privatePostgres) stop(mode string) {
	if p.cmd == nil {
		return
	}
	_ = p.cmd.Process.Signal(stopSignals[mode])
	select {
	case <-p.exited:
	case <-time.After(30 * time.Second):
		logf("private Postgres did not stop in 30s; killing it")
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
	p.cmd = nil
}

// remove stops it and deletes its files, unless kept.
func (p *privatePostgres) remove(keep bool) {
	p.stop("fast")
	if keep {
		logf("kept the private Postgres cluster in %s (port %d)", p.dir, p.port)
		return
	}
	_ = os.RemoveAll(p.dir)
}
