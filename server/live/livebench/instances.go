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
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
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
			"IDEASX_REDIS_URL=" + b.cfg.redisURL,
			"IDEASX_REDIS_CHANNEL=" + channel,
		}, pprofEnv...)...)
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

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func (in *instance) waitReady(ctx context.Context) error {
	deadline := time.Now().Add(60 * time.Second)
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, in.url+"/readyz", nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-in.exited:
			return fmt.Errorf("instance %s exited during start-up:\n%s", in.name, tail(in.logPath, 20))
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("instance %s not ready after 60s:\n%s", in.name, tail(in.logPath, 20))
		}
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

// procStat is what /proc says of a process: CPU used so far, resident
// memory now and at its peak.
type procStat struct {
	cpu      time.Duration
	rss, hwm int64 // KiB
}

// clockTick is USER_HZ, 100 on every Linux this runs on.
const clockTick = 100

func readProc(pid int) (procStat, error) {
	var ps procStat
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return ps, err
	}
	// The command name may hold spaces; the fields after it do not.
	i := strings.LastIndexByte(string(data), ')')
	if i < 0 {
		return ps, errors.New("unreadable /proc stat")
	}
	f := strings.Fields(string(data[i+1:]))
	if len(f) < 13 {
		return ps, errors.New("short /proc stat")
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	ps.cpu = time.Duration(utime+stime) * time.Second / clockTick

	st, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return ps, err
	}
	defer st.Close()
	sc := bufio.NewScanner(st)
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), ":")
		kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		switch k {
		case "VmRSS":
			ps.rss = kb
		case "VmHWM":
			ps.hwm = kb
		}
	}
	return ps, sc.Err()
}

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

// machineCPU is the time of all CPUs from /proc/stat, in ticks: busy
// (user, system, interrupts), of which softirq (much of the loopback
// network's work, which no process is charged for), stolen by the
// hypervisor, and the total.
type machineCPU struct{ busy, softirq, steal, total int64 }

func readMachineCPU() machineCPU {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return machineCPU{}
	}
	line, _, _ := strings.Cut(string(data), "\n")
	f := strings.Fields(line)
	var m machineCPU
	// user nice system idle iowait irq softirq steal (guest time is
	// already counted in user).
	for i, v := range f[1:min(len(f), 9)] {
		n, _ := strconv.ParseInt(v, 10, 64)
		m.total += n
		switch i {
		case 3, 4: // idle, iowait
		case 6:
			m.softirq += n
			m.busy += n
		case 7:
			m.steal += n
		default:
			m.busy += n
		}
	}
	return m
}

// servicesCPU is the CPU used so far by every Postgres and Redis process
// (those of other work on the machine included, if they share them).
func servicesCPU() (pg, redis time.Duration) {
	dirs, _ := os.ReadDir("/proc")
	for _, d := range dirs {
		pid, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		open, end := strings.IndexByte(string(data), '('), strings.LastIndexByte(string(data), ')')
		if open < 0 || end < open {
			continue
		}
		comm := string(data[open+1 : end])
		if comm != "postgres" && comm != "redis-server" {
			continue
		}
		ps, err := readProc(pid)
		if err != nil {
			continue
		}
		if comm == "postgres" {
			pg += ps.cpu
		} else {
			redis += ps.cpu
		}
	}
	return pg, redis
}

// selfCPU is the CPU the load generator has used.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
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

func cores() int { return runtime.NumCPU() }
