package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Faults measured under load (issue 12, "Faults, measured"): the load run
// of the benchmark, with a fault injected while replies are being posted.
// With -chaos redis the instances use a private redis-server of this run,
// killed (SIGKILL, by its pid) -chaos-before into the posting and started
// again on the same port -chaos-outage later. The machine's shared Redis
// is never touched: other tests use it.

// privateRedis is a redis-server of this run only, on a free port, empty
// and without persistence: a restart comes back with nothing, like a
// crashed cache.
type privateRedis struct {
	path, logPath string
	port          int
	cmd           *exec.Cmd
	exited        chan struct{}
}

func startPrivateRedis(ctx context.Context, tmp string) (*privateRedis, error) {
	path, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, fmt.Errorf("-chaos redis needs the redis-server binary on PATH: %w", err)
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	r := &privateRedis{path: path, port: port, logPath: filepath.Join(tmp, "redis.log")}
	return r, r.start(ctx)
}

func (r *privateRedis) url() string { return fmt.Sprintf("redis://127.0.0.1:%d/0", r.port) }

func (r *privateRedis) start(ctx context.Context) error {
	logFile, err := os.OpenFile(r.logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	r.cmd = exec.Command(r.path, "--port", strconv.Itoa(r.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
	r.cmd.Stdout, r.cmd.Stderr = logFile, logFile
	r.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := r.cmd.Start(); err != nil {
		logFile.Close()
		return err
	}
	exited := make(chan struct{})
	r.exited = exited
	cmd := r.cmd
	go func() {
		_ = cmd.Wait()
		logFile.Close()
		close(exited)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", r.port)); err == nil {
			c.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("private redis-server not listening on %d after 10s:\n%s", r.port, tail(r.logPath, 10))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-exited:
			return fmt.Errorf("private redis-server exited at start:\n%s", tail(r.logPath, 10))
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// kill ends it at once, as a crash or an OOM kill would.
func (r *privateRedis) kill() {
	if r.cmd == nil {
		return
	}
	_ = r.cmd.Process.Kill()
	<-r.exited
	r.cmd = nil
}

// readiness polls /readyz of every instance until stopped, counting the
// answers that were not 200 and those that reported Redis down.
type readiness struct {
	probes, notReady, failed, redisDown atomic.Int64
	firstBad                            atomic.Pointer[string]
	stop                                chan struct{}
	wg                                  sync.WaitGroup
}

func (b *bench) pollReadiness(every time.Duration) *readiness {
	rd := &readiness{stop: make(chan struct{})}
	client := &http.Client{Timeout: 5 * time.Second}
	for _, in := range b.instances {
		rd.wg.Add(1)
		go func() {
			defer rd.wg.Done()
			t := time.NewTicker(every)
			defer t.Stop()
			for {
				rd.probe(client, in)
				select {
				case <-rd.stop:
					return
				case <-t.C:
				}
			}
		}()
	}
	return rd
}

func (rd *readiness) probe(client *http.Client, in *instance) {
	rd.probes.Add(1)
	resp, err := client.Get(in.url + "/readyz")
	if err != nil {
		rd.failed.Add(1)
		msg := fmt.Sprintf("instance %s /readyz: %v", in.name, err)
		rd.firstBad.CompareAndSwap(nil, &msg)
		return
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	resp.Body.Close()
	if strings.Contains(string(body), `"redis":"down`) {
		rd.redisDown.Add(1)
	}
	if resp.StatusCode != http.StatusOK {
		rd.notReady.Add(1)
		msg := fmt.Sprintf("instance %s /readyz: %s %.200s", in.name, resp.Status, body)
		rd.firstBad.CompareAndSwap(nil, &msg)
	}
}

func (rd *readiness) end() {
	close(rd.stop)
	rd.wg.Wait()
}

// chaosResult is what the fault did, next to the load run's figures.
type chaosResult struct {
	Fault        string  `json:"fault"`
	DownAtS      float64 `json:"down_at_s"` // since posting began
	OutageS      float64 `json:"outage_s"`  // from the kill until Redis listened again
	Before       int     `json:"posts_before"`
	During       int     `json:"posts_during"`
	After        int     `json:"posts_after"`
	FailedDuring int     `json:"failed_posts_during"`
	// ConvergedS is how long after Redis returned the last client had
	// the last post made before that (0: all had them already); nil when
	// some never arrived.
	ConvergedS *float64     `json:"converged_after_return_s"`
	DuringMs   *percentiles `json:"latency_posted_during_ms,omitempty"`
	AfterMs    *percentiles `json:"latency_posted_after_ms,omitempty"`
	BeforeMs   *percentiles `json:"latency_posted_before_ms,omitempty"`

	ReadyProbes    int64  `json:"ready_probes"`
	NotReady       int64  `json:"ready_not_200"`
	ReadyFailed    int64  `json:"ready_failed"`
	RedisDownSeen  int64  `json:"ready_redis_down"`
	LoadAvg        string `json:"loadavg_before"`
	firstReadyFail string
}

// runChaos is runLoad with Redis killed and brought back while posting.
func (b *bench) runChaos(ctx context.Context) error {
	c := b.cfg
	r := &result{Mode: "chaos-redis", Clients: c.clients, Instances: len(b.instances), Rate: c.rate, DurationS: c.duration.Seconds()}
	perClient := int(c.rate*c.duration.Seconds()) + 8
	f, took, err := b.connect(ctx, perClient)
	if err != nil {
		return err
	}
	r.ConnectS = took.Seconds()
	if err := sleep(ctx, 2*time.Second); err != nil {
		return err
	}
	metricsBefore := b.scrapeAll(ctx)
	loadAvg, mach0 := readLoadAvg(), readMachineCPU()
	rd := b.pollReadiness(200 * time.Millisecond)

	// The fault runs beside the posting, on the clock the posts use.
	var downAt, backAt time.Duration
	faultDone := make(chan error, 1)
	postStart := time.Now()
	go func() {
		if err := sleep(ctx, c.chaosBefore); err != nil {
			faultDone <- err
			return
		}
		logf("killing the private Redis (pid %d)", b.redis.cmd.Process.Pid)
		b.redis.kill()
		downAt = time.Since(b.base)
		if err := sleep(ctx, c.chaosOutage); err != nil {
			faultDone <- err
			return
		}
		err := b.redis.start(ctx)
		backAt = time.Since(b.base)
		if err == nil {
			logf("Redis back after %s (pid %d)", (backAt - downAt).Round(time.Millisecond), b.redis.cmd.Process.Pid)
		}
		faultDone <- err
	}()

	logf("posting %.0f replies/s for %s; Redis killed after %s for %s", c.rate, c.duration, c.chaosBefore, c.chaosOutage)
	posts := b.postReplies(ctx)
	if err := <-faultDone; err != nil {
		rd.end()
		return err
	}
	if ctx.Err() != nil {
		rd.end()
		return ctx.Err()
	}
	created := 0
	for _, p := range posts {
		if p.err == nil {
			created++
		}
	}
	want := int64(created) * int64(c.clients)
	logf("%d replies posted; waiting up to %s for the last deliveries", created, c.drain)
	drainStart := time.Now()
	for f.fresh.Load() < want && time.Since(drainStart) < c.drain && f.ended.Load() < int64(c.clients) {
		if err := sleep(ctx, 10*time.Millisecond); err != nil {
			rd.end()
			return err
		}
	}
	window := time.Since(postStart)
	mach1 := readMachineCPU()
	rd.end()
	metricsAfter := b.scrapeAll(ctx)
	f.close()

	r.analyse(b, f, posts)
	r.WindowS = window.Seconds()
	r.DrainS = time.Since(drainStart).Seconds()
	if mach1.total > mach0.total {
		r.MachineBusyPct = 100 * float64(mach1.busy-mach0.busy) / float64(mach1.total-mach0.total)
	}
	for i, in := range b.instances {
		r.Servers = append(r.Servers, serverResult{
			Name:            in.name,
			Sent:            metricsAfter[i]["ideasx_ws_messages_sent_total"] - metricsBefore[i]["ideasx_ws_messages_sent_total"],
			Dropped:         metricsAfter[i]["ideasx_ws_messages_dropped_total"],
			SlowDisconnects: metricsAfter[i]["ideasx_ws_slow_disconnects_total"],
			PublishErrors:   metricsAfter[i]["ideasx_live_broker_publish_errors_total"],
			Replayed:        metricsAfter[i]["ideasx_live_events_replayed_total"],
		})
	}
	cr := chaosFigures(f, posts, downAt, backAt, r.Lost)
	cr.Fault, cr.LoadAvg = "redis", loadAvg
	cr.DownAtS = (downAt - (postStart.Sub(b.base))).Seconds()
	cr.ReadyProbes, cr.NotReady, cr.ReadyFailed, cr.RedisDownSeen = rd.probes.Load(), rd.notReady.Load(), rd.failed.Load(), rd.redisDown.Load()
	if s := rd.firstBad.Load(); s != nil {
		cr.firstReadyFail = *s
	}
	r.Chaos = cr
	r.Target = "0 lost, 0 duplicated, every client has every post ≤ 5 s after Redis returns, both instances ready throughout, no failed post"
	ok := r.Lost == 0 && r.Duplicated == 0 && cr.ConvergedS != nil && *cr.ConvergedS <= 5 &&
		cr.NotReady == 0 && cr.ReadyFailed == 0 && r.PostErrors == 0
	r.TargetMet = &ok
	r.print()
	if r.Lost > 0 || r.Duplicated > 0 {
		return errEventsLost
	}
	return nil
}

var errEventsLost = fmt.Errorf("events were lost or duplicated")

// chaosFigures splits the posts by when they were made (before the kill,
// during the outage, after the return) and finds when the clients had
// caught up.
func chaosFigures(f *fleet, posts []post, downAt, backAt time.Duration, lost int64) *chaosResult {
	cr := &chaosResult{OutageS: (backAt - downAt).Seconds()}
	phase := make(map[int64]int, len(posts)) // post id → 0 before, 1 during, 2 after
	starts := make(map[int64]time.Duration, len(posts))
	for _, p := range posts {
		ph := 0
		switch {
		case p.start >= backAt:
			ph = 2
		case p.start >= downAt:
			ph = 1
		}
		if p.err != nil {
			if ph == 1 {
				cr.FailedDuring++
			}
			continue
		}
		phase[p.id], starts[p.id] = ph, p.start
		switch ph {
		case 0:
			cr.Before++
		case 1:
			cr.During++
		default:
			cr.After++
		}
	}
	var lat [3][]time.Duration
	var latest time.Duration // last arrival of a post made before Redis returned
	for _, c := range f.clients {
		for _, d := range c.recv {
			ph, ok := phase[d.id]
			if !ok {
				continue
			}
			lat[ph] = append(lat[ph], d.at-starts[d.id])
			if ph < 2 && d.at > latest {
				latest = d.at
			}
		}
	}
	cr.BeforeMs, cr.DuringMs, cr.AfterMs = newPercentiles(lat[0]), newPercentiles(lat[1]), newPercentiles(lat[2])
	if lost == 0 {
		conv := max(latest-backAt, 0).Seconds()
		cr.ConvergedS = &conv
	}
	return cr
}

func (cr *chaosResult) print(line func(string, ...any)) {
	line("  fault        Redis killed %.1f s into the posting, back %.1f s later (private redis-server, same port, empty)", cr.DownAtS, cr.OutageS)
	line("  posts        %d before the kill, %d during the outage (%d failed), %d after the return", cr.Before, cr.During, cr.FailedDuring, cr.After)
	if cr.ConvergedS != nil {
		line("  converged    every client had every post made before the return %.2f s after Redis returned", *cr.ConvergedS)
	} else {
		line("  converged    NEVER: some posts did not reach some clients")
	}
	line("  latency      posted before the kill:    %s", cr.BeforeMs)
	line("               posted during the outage:  %s", cr.DuringMs)
	line("               posted after the return:   %s", cr.AfterMs)
	line("  readiness    %d /readyz probes of both instances every 200 ms: %d not 200, %d failed; %d reported Redis down",
		cr.ReadyProbes, cr.NotReady, cr.ReadyFailed, cr.RedisDownSeen)
	if cr.firstReadyFail != "" {
		line("               first: %.300s", cr.firstReadyFail)
	}
}

// readLoadAvg is the machine's 1, 5 and 15 minute load averages.
func readLoadAvg() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
