package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// frontProxy is a Caddy of this run in front of the instances, configured
// from deploy/Caddyfile itself (only the listen address and the upstreams
// change), so that -chaos sigterm measures the shipped configuration.
type frontProxy struct {
	url     string // http://127.0.0.1:PORT
	cmd     *exec.Cmd
	logPath string
	exited  chan struct{}
}

// caddyfileFor rewrites deploy/Caddyfile for loopback: the site address
// ":80" becomes a free local port and the compose upstreams "app1:8080
// app2:8080" the instances' addresses. It fails if the file no longer
// has them, rather than measure something else. noRetry drops
// lb_try_duration, as in a Caddyfile that does not set it (Caddy then
// retries nothing): what a proxy without retries sees of a stop.
func caddyfileFor(shipped string, port int, upstreams []string, noRetry bool) (string, error) {
	const site, apps = ":80 {", "reverse_proxy app1:8080 app2:8080 {"
	if strings.Count(shipped, site) != 1 || strings.Count(shipped, apps) != 1 {
		return "", fmt.Errorf("deploy/Caddyfile no longer has %q and %q: update caddyfileFor", site, apps)
	}
	out := strings.Replace(shipped, site, fmt.Sprintf(":%d {\n\tbind 127.0.0.1", port), 1)
	out = strings.Replace(out, apps, "reverse_proxy "+strings.Join(upstreams, " ")+" {", 1)
	if noRetry {
		lines := strings.Split(out, "\n")
		kept := lines[:0]
		for _, l := range lines {
			if !strings.HasPrefix(strings.TrimSpace(l), "lb_try_duration") {
				kept = append(kept, l)
			}
		}
		out = strings.Join(kept, "\n")
	}
	return out, nil
}

func (b *bench) startCaddy(ctx context.Context) (*frontProxy, error) {
	path, err := exec.LookPath(b.cfg.caddy)
	if err != nil {
		return nil, fmt.Errorf("-chaos sigterm needs Caddy v2 (-caddy; `make chaos-stop` installs it): %w", err)
	}
	root, err := moduleRoot(ctx)
	if err != nil {
		return nil, err
	}
	shipped, err := os.ReadFile(filepath.Join(root, "deploy", "Caddyfile"))
	if err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	var upstreams []string
	for _, in := range b.instances {
		upstreams = append(upstreams, strings.TrimPrefix(in.url, "http://"))
	}
	conf, err := caddyfileFor(string(shipped), port, upstreams, b.cfg.caddyNoRetry)
	if err != nil {
		return nil, err
	}
	confPath := filepath.Join(b.tmp, "Caddyfile")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		return nil, err
	}
	p := &frontProxy{url: fmt.Sprintf("http://127.0.0.1:%d", port), logPath: filepath.Join(b.tmp, "caddy.log"), exited: make(chan struct{})}
	logFile, err := os.Create(p.logPath)
	if err != nil {
		return nil, err
	}
	p.cmd = exec.Command(path, "run", "--config", confPath, "--adapter", "caddyfile")
	// Caddy's own files (it keeps none with this configuration) stay in
	// the run's directory, not the user's.
	p.cmd.Env = append(os.Environ(), "XDG_DATA_HOME="+filepath.Join(b.tmp, "caddy-data"), "XDG_CONFIG_HOME="+filepath.Join(b.tmp, "caddy-config"))
	p.cmd.Stdout, p.cmd.Stderr = logFile, logFile
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := p.cmd.Start(); err != nil {
		logFile.Close()
		return nil, err
	}
	go func() {
		_ = p.cmd.Wait()
		logFile.Close()
		close(p.exited)
	}()
	b.onCleanup(p.stop)
	// Ready when it forwards: /readyz answered 200 through it.
	deadline := time.Now().Add(20 * time.Second)
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, p.url+"/readyz", nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p, nil
			}
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("caddy not forwarding after 20s:\n%s", tail(p.logPath, 10))
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-p.exited:
			return nil, fmt.Errorf("caddy exited at start:\n%s", tail(p.logPath, 10))
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// healthFailures counts, per instance, the active health checks Caddy
// logged as failed (a refused connection, a timeout, a 503): a check of
// the instance that stays up failing under load takes it out as well,
// and Caddy then answers 503 itself.
func (b *bench) healthFailures() map[string]int {
	out := map[string]int{}
	data, err := os.ReadFile(b.front.logPath)
	if err != nil {
		return out
	}
	for _, l := range strings.Split(string(data), "\n") {
		var rec struct {
			Logger, Host string
		}
		if json.Unmarshal([]byte(l), &rec) != nil || !strings.HasSuffix(rec.Logger, "health_checker.active") {
			continue
		}
		for _, in := range b.instances {
			if "http://"+rec.Host == in.url {
				out[in.name]++
			}
		}
	}
	return out
}

func (p *frontProxy) stop() {
	select {
	case <-p.exited:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(5 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}
