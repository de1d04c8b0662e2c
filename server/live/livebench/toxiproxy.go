package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// toxiproxy is a Toxiproxy v2 server of this run, on loopback, with one
// proxy in front of the private Redis, driven through its HTTP API.
type toxiproxy struct {
	cmd          *exec.Cmd
	exited       chan struct{}
	api          string // http://127.0.0.1:PORT
	listen       int    // the proxy's port
	logPath      string
	proxy, toxic string
}

func startToxiproxy(ctx context.Context, bin, tmp string, redisPort int) (*toxiproxy, error) {
	path, err := exec.LookPath(bin)
	if err != nil {
		return nil, fmt.Errorf("-chaos redis-net needs Toxiproxy v2 (-toxiproxy; `make chaos-net` installs it): %w", err)
	}
	apiPort, err := freePort()
	if err != nil {
		return nil, err
	}
	listen, err := freePort()
	if err != nil {
		return nil, err
	}
	t := &toxiproxy{api: fmt.Sprintf("http://127.0.0.1:%d", apiPort), listen: listen, logPath: filepath.Join(tmp, "toxiproxy.log"),
		proxy: "redis-a", toxic: "delay", exited: make(chan struct{})}
	logFile, err := os.Create(t.logPath)
	if err != nil {
		return nil, err
	}
	t.cmd = exec.Command(path, "-host", "127.0.0.1", "-port", strconv.Itoa(apiPort))
	t.cmd.Stdout, t.cmd.Stderr = logFile, logFile
	t.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := t.cmd.Start(); err != nil {
		logFile.Close()
		return nil, err
	}
	go func() {
		_ = t.cmd.Wait()
		logFile.Close()
		close(t.exited)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for t.call(ctx, http.MethodGet, "/version", nil) != nil {
		if time.Now().After(deadline) {
			t.stop()
			return nil, fmt.Errorf("toxiproxy not answering after 10s:\n%s", tail(t.logPath, 10))
		}
		select {
		case <-ctx.Done():
			t.stop()
			return nil, ctx.Err()
		case <-t.exited:
			return nil, fmt.Errorf("toxiproxy exited at start:\n%s", tail(t.logPath, 10))
		case <-time.After(50 * time.Millisecond):
		}
	}
	err = t.call(ctx, http.MethodPost, "/proxies", map[string]any{
		"name": t.proxy, "listen": fmt.Sprintf("127.0.0.1:%d", listen),
		"upstream": fmt.Sprintf("127.0.0.1:%d", redisPort), "enabled": true,
	})
	if err != nil {
		t.stop()
		return nil, err
	}
	return t, nil
}

func (t *toxiproxy) redisURL() string { return fmt.Sprintf("redis://127.0.0.1:%d/0", t.listen) }

// delay holds every byte from Redis to the instance for d: each round
// trip (a publish's answer, a message received) is d longer.
func (t *toxiproxy) delay(ctx context.Context, d time.Duration) error {
	return t.call(ctx, http.MethodPost, "/proxies/"+t.proxy+"/toxics", map[string]any{
		"name": t.toxic, "type": "latency", "stream": "downstream", "toxicity": 1.0,
		"attributes": map[string]any{"latency": d.Milliseconds(), "jitter": 0},
	})
}

// cut closes the proxy's connections and refuses new ones, like a link
// that went down; restore takes the delay away and opens it again.
func (t *toxiproxy) cut(ctx context.Context) error {
	return t.call(ctx, http.MethodPost, "/proxies/"+t.proxy, map[string]any{"enabled": false})
}

func (t *toxiproxy) restore(ctx context.Context) error {
	if err := t.call(ctx, http.MethodDelete, "/proxies/"+t.proxy+"/toxics/"+t.toxic, nil); err != nil {
		return err
	}
	return t.call(ctx, http.MethodPost, "/proxies/"+t.proxy, map[string]any{"enabled": true})
}

func (t *toxiproxy) call(ctx context.Context, method, path string, in any) error {
	var body io.Reader
	if in != nil {
		data, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, t.api+path, body)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode >= 300 {
		return fmt.Errorf("toxiproxy %s %s: %s: %.300s", method, path, resp.Status, data)
	}
	return nil
}

func (t *toxiproxy) stop() {
	select {
	case <-t.exited:
	default:
		_ = t.cmd.Process.Kill()
		<-t.exited
	}
}
