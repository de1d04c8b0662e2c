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
// The instances use a private redis-server of this run; the machine's
// shared Redis is never touched: other tests use it. With -chaos redis it
// is killed (SIGKILL, by its pid) -chaos-before into the posting and
// started again on the same port -chaos-outage later. With -chaos
// redis-net instance A reaches it through Toxiproxy, whose link is delayed
// 200 ms for -chaos-outage, then cut for as long, then restored.

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
// answers that were not 200 and those that reported Redis down, and keeps
// each instance's answers in order (samples[i]: instance i).
type readiness struct {
	probes, notReady, failed, redisDown atomic.Int64
	firstBad                            atomic.Pointer[string]
	stop                                chan struct{}
	wg                                  sync.WaitGroup
	base                                time.Time
	samples                             [][]readySample // each written by its instance's poller alone
}

// readySample is one probe: when it was sent (since bench.base) and the
// status it got (0: no answer).
type readySample struct {
	at     time.Duration
	status int
}

func (b *bench) pollReadiness(every time.Duration) *readiness {
	rd := &readiness{stop: make(chan struct{}), base: b.base, samples: make([][]readySample, len(b.instances))}
	client := &http.Client{Timeout: 5 * time.Second}
	for i, in := range b.instances {
		rd.wg.Add(1)
		go func() {
			defer rd.wg.Done()
			t := time.NewTicker(every)
			defer t.Stop()
			for {
				rd.samples[i] = append(rd.samples[i], rd.probe(client, in))
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

func (rd *readiness) probe(client *http.Client, in *instance) readySample {
	rd.probes.Add(1)
	sample := readySample{at: time.Since(rd.base)}
	resp, err := client.Get(in.url + "/readyz")
	if err != nil {
		rd.failed.Add(1)
		msg := fmt.Sprintf("instance %s /readyz: %v", in.name, err)
		rd.firstBad.CompareAndSwap(nil, &msg)
		return sample
	}
	sample.status = resp.StatusCode
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
	return sample
}

func (rd *readiness) end() {
	close(rd.stop)
	rd.wg.Wait()
}

// chaosStep is one change of the fault, made at an offset from the start
// of the posting; the phases of the run are the spans between steps.
type chaosStep struct {
	at   time.Duration
	what string // what the phase it opens is called
	do   func(context.Context) error
	done time.Duration // since bench.base, when it was made
	took time.Duration
}

// steps is the fault of -chaos, as steps.
func (b *bench) steps() []*chaosStep {
	c := b.cfg
	switch c.chaos {
	case "sigterm":
		return b.stopSteps()
	case "slow-client":
		return []*chaosStep{
			{at: c.chaosBefore, what: "a client reading 1 KiB/s joins instance A", do: func(ctx context.Context) error {
				sc, err := b.startSlowClient(ctx)
				b.slow = sc
				return err
			}},
			{at: c.chaosBefore + c.chaosOutage, what: "the slow client gone", do: func(context.Context) error {
				b.slow.stop()
				return nil
			}},
		}
	case "postgres":
		return []*chaosStep{
			{at: c.chaosBefore, what: "Postgres stopped (" + c.pgStop + ")", do: func(context.Context) error {
				logf("stopping the private Postgres (pid %d, %s)", b.pg.cmd.Process.Pid, c.pgStop)
				b.pg.stop(c.pgStop)
				return nil
			}},
			{at: c.chaosBefore + c.chaosOutage, what: "Postgres back", do: b.pg.start},
		}
	case "redis-net":
		return []*chaosStep{
			{at: c.chaosBefore, what: "instance A's link to Redis delayed 200 ms", do: func(ctx context.Context) error { return b.toxi.delay(ctx, 200*time.Millisecond) }},
			{at: c.chaosBefore + c.chaosOutage, what: "instance A's link to Redis cut", do: b.toxi.cut},
			{at: c.chaosBefore + 2*c.chaosOutage, what: "link restored", do: b.toxi.restore},
		}
	}
	return []*chaosStep{
		{at: c.chaosBefore, what: "Redis killed", do: func(context.Context) error {
			logf("killing the private Redis (pid %d)", b.redis.cmd.Process.Pid)
			b.redis.kill()
			return nil
		}},
		{at: c.chaosBefore + c.chaosOutage, what: "Redis back", do: b.redis.start},
	}
}

// chaosResult is what the fault did, next to the load run's figures.
type chaosResult struct {
	Fault  string       `json:"fault"`
	Phases []chaosPhase `json:"phases"`
	// ConvergedS is how long after the fault ended the last client had
	// the last post made before that (0: all had them already); nil when
	// some never arrived.
	ConvergedS *float64 `json:"converged_after_end_s"`

	// With -chaos slow-client: frames it read, how long after joining the
	// server cut it (nil: not cut), and the others' p99 with it over
	// their p99 before it.
	SlowFrames   int64    `json:"slow_frames,omitempty"`
	SlowBytes    int64    `json:"slow_bytes,omitempty"`
	SlowCutS     *float64 `json:"slow_cut_after_s,omitempty"`
	SlowP99Ratio float64  `json:"p99_with_slow_over_without,omitempty"`
	// WithoutFault is the latency of the posts made before the fault and
	// after it ended, together: the baseline of the same run.
	WithoutFault *percentiles `json:"latency_without_fault_ms,omitempty"`

	ReadyProbes    int64  `json:"ready_probes"`
	NotReady       int64  `json:"ready_not_200"`
	ReadyFailed    int64  `json:"ready_failed"`
	RedisDownSeen  int64  `json:"ready_redis_down"`
	LoadAvg        string `json:"loadavg_before"`
	firstReadyFail string

	Postgres *pgOutcome   `json:"postgres,omitempty"` // with -chaos postgres
	Stop     *stopOutcome `json:"stop,omitempty"`     // with -chaos sigterm
}

// chaosPhase is a span of the posting: its start (since the posting
// began), the posts made in it and their delivery latency.
type chaosPhase struct {
	Name    string       `json:"name"`
	StartS  float64      `json:"start_s"`
	Posts   int          `json:"posts"`
	Failed  int          `json:"failed"`
	Latency *percentiles `json:"latency_ms,omitempty"`
	at      time.Duration
}

// runChaos is runLoad with a fault made and undone while posting.
func (b *bench) runChaos(ctx context.Context) error {
	c := b.cfg
	r := &result{Mode: "chaos-" + c.chaos, Clients: c.clients, Instances: len(b.instances), Rate: c.rate, DurationS: c.duration.Seconds()}
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
	defer func() {
		if rd != nil {
			rd.end()
		}
	}()

	// The fault runs beside the posting, on the clock the posts use.
	steps := b.steps()
	faultDone := make(chan error, 1)
	postStart := time.Now()
	go func() {
		for _, st := range steps {
			if err := sleep(ctx, time.Until(postStart.Add(st.at))); err != nil {
				faultDone <- err
				return
			}
			t0 := time.Now()
			if err := st.do(ctx); err != nil {
				faultDone <- fmt.Errorf("%s: %w", st.what, err)
				return
			}
			st.done, st.took = time.Since(b.base), time.Since(t0)
			logf("%s", st.what)
		}
		faultDone <- nil
	}()

	if b.front != nil {
		logf("and GETting the thread's page %.0f times a second through Caddy", c.pageRate)
		b.pages = b.startPages(c.pageRate, c.pageWorkers)
	}
	logf("posting %.0f replies/s for %s", c.rate, c.duration)
	posts := b.postReplies(ctx)
	if b.pages != nil {
		b.pages.end()
	}
	if err := <-faultDone; err != nil {
		return err
	}
	if ctx.Err() != nil {
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
	if err := b.drain(ctx, f, want, drainStart); err != nil {
		return err
	}
	window := time.Since(postStart)
	mach1 := readMachineCPU()
	rd.end()
	probes := rd
	rd = nil
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
			Name:       in.name,
			liveCounts: liveCountsOf(metricsBefore[i], metricsAfter[i]),
		})
	}
	phases := []chaosPhase{{Name: "before the fault", at: postStart.Sub(b.base)}}
	for _, st := range steps {
		phases = append(phases, chaosPhase{Name: st.what, at: st.done})
	}
	cr := chaosFigures(f, posts, phases, r.Lost)
	for i := range cr.Phases {
		cr.Phases[i].StartS = (cr.Phases[i].at - postStart.Sub(b.base)).Seconds()
	}
	cr.Fault, cr.LoadAvg = c.chaos, loadAvg
	cr.ReadyProbes, cr.NotReady, cr.ReadyFailed, cr.RedisDownSeen = probes.probes.Load(), probes.notReady.Load(), probes.failed.Load(), probes.redisDown.Load()
	if s := probes.firstBad.Load(); s != nil {
		cr.firstReadyFail = *s
	}
	r.Chaos = cr
	r.Target = "0 lost, 0 duplicated, every client has every post ≤ 5 s after the fault ends, both instances ready throughout, no failed post"
	ok := r.Lost == 0 && r.Duplicated == 0 && cr.ConvergedS != nil && *cr.ConvergedS <= 5 &&
		cr.NotReady == 0 && cr.ReadyFailed == 0 && r.PostErrors == 0
	if b.slow != nil {
		cr.SlowFrames, cr.SlowBytes = b.slow.frames.Load(), b.slow.bytes.Load()
		if at := b.slow.cutAt.Load(); at > 0 {
			cut := (time.Duration(at) - steps[0].done).Seconds()
			cr.SlowCutS = &cut
		}
		if p0, p1 := cr.WithoutFault, cr.Phases[1].Latency; p0 != nil && p1 != nil && p0.P99 > 0 {
			cr.SlowP99Ratio = p1.P99 / p0.P99
		}
		r.Target = "the slow client cut, the others' p99 with it ≤ 1.10 × without it, 0 lost, 0 duplicated"
		ok = r.Lost == 0 && r.Duplicated == 0 && cr.SlowCutS != nil && cr.SlowP99Ratio <= 1.10
	}
	if b.pg != nil {
		o := &pgOutcome{StopMode: c.pgStop, StopS: steps[0].took.Seconds(), RestartS: steps[1].took.Seconds()}
		// Posting can fail from the signal on; readiness is judged from
		// Postgres's exit to the start of the new one (it may accept
		// connections a little before the bench sees it does).
		signal, down, relaunch, back := steps[0].done-steps[0].took, steps[0].done, steps[1].done-steps[1].took, steps[1].done
		o.postingAround(posts, signal, back)
		if saved, err := b.savedReplies(ctx); err != nil {
			o.Saved.Err = err.Error()
		} else {
			o.Saved = matchSaved(posts, saved)
		}
		for i, in := range b.instances {
			o.Ready = append(o.Ready, readyAround(in.name, probes.samples[i], down, relaunch, back))
		}
		cr.Postgres = o
		r.Target = "failed posts all 503 unavailable with Retry-After, none answered 201 missing from the database, 0 lost, 0 duplicated, " +
			"every client has every post ≤ 5 s after Postgres is back, both instances not ready while it is down and ready again ≤ 5 s after, posting back ≤ 5 s after"
		ok = r.Lost == 0 && r.Duplicated == 0 && cr.ConvergedS != nil && *cr.ConvergedS <= 5 && o.met(5*time.Second)
	}
	if b.front != nil {
		cr.Stop = b.stopOutcome(f, posts, probes, steps)
		r.Target, ok = stopTarget, stopOK(r, cr)
	}
	r.TargetMet = &ok
	r.print()
	if r.Lost > 0 || r.Duplicated > 0 {
		return errEventsLost
	}
	if cr.Postgres != nil && cr.Postgres.Saved.Missing > 0 {
		return errPostsLost
	}
	return nil
}

var errPostsLost = fmt.Errorf("posts answered 201 are missing from the database")

var errEventsLost = fmt.Errorf("events were lost or duplicated")

// chaosFigures sorts the posts into the phases by when they were made
// (phases[i].at, in order; the last phase is after the fault ended) and
// finds when the clients had caught up with the posts made before its end.
func chaosFigures(f *fleet, posts []post, phases []chaosPhase, lost int64) *chaosResult {
	cr := &chaosResult{Phases: phases}
	last := len(phases) - 1
	end := phases[last].at
	phaseOf := func(t time.Duration) int {
		ph := 0
		for i := range phases {
			if t >= phases[i].at {
				ph = i
			}
		}
		return ph
	}
	phase := make(map[int64]int, len(posts))
	starts := make(map[int64]time.Duration, len(posts))
	for _, p := range posts {
		ph := phaseOf(p.start)
		if p.err != nil {
			cr.Phases[ph].Failed++
			continue
		}
		cr.Phases[ph].Posts++
		phase[p.id], starts[p.id] = ph, p.start
	}
	lat := make([][]time.Duration, len(phases))
	var latest time.Duration // last arrival of a post made before the fault ended
	for _, c := range f.clients {
		for _, d := range c.recv {
			ph, ok := phase[d.id]
			if !ok {
				continue
			}
			lat[ph] = append(lat[ph], d.at-starts[d.id])
			if ph < last && d.at > latest {
				latest = d.at
			}
		}
	}
	for i := range cr.Phases {
		cr.Phases[i].Latency = newPercentiles(lat[i])
	}
	if last >= 2 {
		cr.WithoutFault = newPercentiles(append(append([]time.Duration(nil), lat[0]...), lat[last]...))
	}
	if lost == 0 {
		conv := max(latest-end, 0).Seconds()
		cr.ConvergedS = &conv
	}
	return cr
}

func (cr *chaosResult) print(line func(string, ...any)) {
	for i, ph := range cr.Phases {
		label := "  phases     "
		if i > 0 {
			label = "             "
		}
		line("%s from %5.1f s  %-44s %3d posts (%d failed), latency %s", label, ph.StartS, ph.Name, ph.Posts, ph.Failed, ph.Latency)
	}
	if cr.ConvergedS != nil {
		line("  converged    every client had every post made before the fault ended %.2f s after it ended", *cr.ConvergedS)
	} else {
		line("  converged    NEVER: some posts did not reach some clients")
	}
	if cr.Fault == "slow-client" {
		cut := "not cut while it was connected"
		if cr.SlowCutS != nil {
			cut = fmt.Sprintf("cut by the server %.1f s after joining", *cr.SlowCutS)
		}
		line("  slow client  read %d bytes (%d frames) at %d bytes/s; %s", cr.SlowBytes, cr.SlowFrames, slowRate, cut)
		line("               the others' p99 with it %.2f × their p99 without it (before it joined and after it left: %s)",
			cr.SlowP99Ratio, cr.WithoutFault)
	}
	line("  readiness    %d /readyz probes of both instances every 200 ms: %d not 200, %d failed; %d reported Redis down",
		cr.ReadyProbes, cr.NotReady, cr.ReadyFailed, cr.RedisDownSeen)
	if cr.firstReadyFail != "" {
		line("               first: %.300s", cr.firstReadyFail)
	}
	if cr.Postgres != nil {
		cr.Postgres.print(line)
	}
	if cr.Stop != nil {
		cr.Stop.print(line)
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
