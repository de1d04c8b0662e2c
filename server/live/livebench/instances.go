package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"ideasx/server/internal/benchenv"
)

// instance is one `ideasx serve` process.
type instance struct {
	name    string
	url     string // http://127.0.0.1:PORT
	cmd     *exec.Cmd
	logPath string
	pprof   string // host:port of net/http/pprof, with -server-pprof
	exited  chan struct{}
}

// startInstances starts n instances on the run's schema and one Redis
// channel of their own, and waits until they are ready.
func (b *bench) startInstances(ctx context.Context, n int) error {
	var id [5]byte
	_, _ = rand.Read(id[:])
	channel := "ideasx:livebench:" + hex.EncodeToString(id[:])
	for i := range n {
		port, err := freePort()
		if err != nil {
			return err
		}
		in := &instance{name: string(rune('A' + i)), url: fmt.Sprintf("http://127.0.0.1:%d", port),
			logPath: filepath.Join(b.tmp, fmt.Sprintf("serve-%c.log", 'A'+i)), exited: make(chan struct{})}
		var pprofEnv []string
		if b.cfg.serverPprof {
			pport, err := freePort()
			if err != nil {
				return err
			}
			in.pprof = fmt.Sprintf("127.0.0.1:%d", pport)
			pprofEnv = append(pprofEnv, "LIVEBENCH_PPROF_ADDR="+in.pprof)
		}
		logFile, err := os.Create(in.logPath)
		if err != nil {
			return err
		}
		in.cmd = exec.Command(b.bin, "serve")
		in.cmd.Env = b.env(append([]string{
			"IDEASX_ADDR=127.0.0.1:" + strconv.Itoa(port),
			"IDEASX_BASE_URL=" + in.url,
			"IDEASX_REDIS_URL=" + b.redisURLFor(i),
			"IDEASX_REDIS_CHANNEL=" + channel,
		}, append(pprofEnv, b.stopEnv()...)...)...)
		in.cmd.Stdout, in.cmd.Stderr = logFile, logFile
		// Its own process group: a Ctrl-C reaches the bench alone, which
		// stops the instances in order; they die with it if it is killed.
		in.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
		if err := in.cmd.Start(); err != nil {
			logFile.Close()
			return err
		}
		go func() {
			_ = in.cmd.Wait()
			logFile.Close()
			close(in.exited)
		}()
		b.instances = append(b.instances, in)
		b.onCleanup(in.stop)
	}
	for _, in := range b.instances {
		if err := in.waitReady(ctx); err != nil {
			return err
		}
		logf("instance %s ready at %s (pid %d, log %s)", in.name, in.url, in.cmd.Process.Pid, in.logPath)
		if in.pprof != "" {
			logf("instance %s pprof at http://%s/debug/pprof/", in.name, in.pprof)
		}
	}
	return nil
}

// redisURLFor is the Redis of instance i: with -chaos redis-net the first
// one goes through Toxiproxy.
func (b *bench) redisURLFor(i int) string {
	if i < len(b.instanceRedis) && b.instanceRedis[i] != "" {
		return b.instanceRedis[i]
	}
	return b.cfg.redisURL
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func (in *instance) waitReady(ctx context.Context) error {
	return in.waitOK(ctx, "/readyz", "instance", "ready")
}

// waitOK waits until path answers 200 OK; an error names the process as
// kind (instance, Centrifugo node) and state (ready, healthy) and shows
// the end of its log.
func (in *instance) waitOK(ctx context.Context, path, kind, state string) error {
	switch err := benchenv.WaitOK(ctx, in.url+path, in.exited); {
	case errors.Is(err, benchenv.ErrExited):
		return fmt.Errorf("%s %s exited during start-up:\n%s", kind, in.name, tail(in.logPath, 20))
	case errors.Is(err, benchenv.ErrTimeout):
		return fmt.Errorf("%s %s not %s after 60s:\n%s", kind, in.name, state, tail(in.logPath, 20))
	default:
		return err
	}
}

// stop asks for a graceful shutdown and kills after 15 seconds.
func (in *instance) stop() {
	select {
	case <-in.exited:
		return
	default:
	}
	_ = in.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-in.exited:
	case <-time.After(15 * time.Second):
		logf("instance %s did not stop in 15s; killing it", in.name)
		_ = in.cmd.Process.Kill()
		<-in.exited
	}
}

func (in *instance) pid() int { return in.cmd.Process.Pid }

func tail(path string, n int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// procStats reads /proc for every instance.
func (b *bench) procStats() []procStat {
	out := make([]procStat, len(b.instances))
	for i, in := range b.instances {
		ps, err := readProc(in.pid())
		if err != nil {
			logf("read /proc of instance %s: %v", in.name, err)
		}
		out[i] = ps
	}
	return out
}

// scrapeMetrics reads a few of an instance's Prometheus metrics.
func (in *instance) scrapeMetrics(ctx context.Context) map[string]float64 {
	out := map[string]float64{}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, in.url+"/metrics", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return out
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		name, val, ok := strings.Cut(line, " ")
		if !ok || strings.ContainsRune(name, '{') {
			continue
		}
		for _, want := range wantedMetrics {
			if name == want {
				out[name], _ = strconv.ParseFloat(val, 64)
			}
		}
	}
	return out
}

var wantedMetrics = []string{
	"ideasx_ws_connections", "ideasx_ws_subscriptions",
	"ideasx_ws_messages_sent_total", "ideasx_ws_messages_dropped_total", "ideasx_ws_slow_disconnects_total",
	"ideasx_live_broker_publish_errors_total", "ideasx_live_events_replayed_total",
	"go_goroutines", "go_memstats_heap_inuse_bytes", "go_memstats_stack_inuse_bytes", "go_memstats_sys_bytes",
}
