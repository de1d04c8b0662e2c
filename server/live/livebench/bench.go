package main

import (
	"context"
	"strings"
	"time"
)

// bench is one run: its files, database, instances and what to undo.
type bench struct {
	cfg  config
	base time.Time // every time recorded is measured from here

	tmp, bin, dbURL          string
	posterToken, readerToken string
	threadID                 int64
	instances                []*instance
	redis                    *privateRedis    // with -chaos
	toxi                     *toxiproxy       // with -chaos redis-net
	instanceRedis            []string         // per instance, overrides cfg.redisURL
	slow                     *slowClient      // with -chaos slow-client
	pg                       *privatePostgres // with -chaos postgres
	front                    *frontProxy      // with -chaos sigterm: Caddy, where every request goes
	pages                    *pageLoad        // with -chaos sigterm
	cf                       *centrifugo      // with -target centrifugo: the nodes are Centrifugo's
	result                   *result          // the last run's, kept for -target both
	cleanups                 []func()
}

func (b *bench) onCleanup(f func()) { b.cleanups = append(b.cleanups, f) }

// cleanup undoes in reverse order: clients, instances, schema, files.
func (b *bench) cleanup() {
	for i := len(b.cleanups) - 1; i >= 0; i-- {
		b.cleanups[i]()
	}
	b.cleanups = nil
}

func (b *bench) run(ctx context.Context) error {
	if b.cfg.target == targetCentrifugo {
		return b.runCentrifugo(ctx)
	}
	if err := b.prepare(ctx); err != nil {
		return err
	}
	n := 2
	if b.cfg.idle {
		n = 1
	}
	if b.cfg.chaos != "" {
		// Never the machine's Redis: other tests use it.
		rs, err := startPrivateRedis(ctx, b.tmp)
		if err != nil {
			return err
		}
		b.redis = rs
		b.onCleanup(func() { rs.kill() })
		b.cfg.redisURL = rs.url()
		logf("private Redis at %s (pid %d)", rs.url(), rs.cmd.Process.Pid)
		if b.cfg.chaos == "redis-net" {
			tp, err := startToxiproxy(ctx, b.cfg.toxiproxy, b.tmp, rs.port)
			if err != nil {
				return err
			}
			b.toxi = tp
			b.onCleanup(tp.stop)
			b.instanceRedis = []string{tp.redisURL()}
			logf("instance A reaches Redis through Toxiproxy at %s; instance B directly", tp.redisURL())
		}
	}
	if err := b.startInstances(ctx, n); err != nil {
		return err
	}
	if b.cfg.chaos == "sigterm" {
		front, err := b.startCaddy(ctx)
		if err != nil {
			return err
		}
		b.front = front
		logf("Caddy (deploy/Caddyfile) at %s in front of both instances (pid %d, log %s)", front.url, front.cmd.Process.Pid, front.logPath)
	}
	if err := b.createThread(ctx); err != nil {
		return err
	}
	switch {
	case b.cfg.idle:
		return b.runIdle(ctx)
	case b.cfg.chaos != "":
		return b.runChaos(ctx)
	}
	return b.runLoad(ctx)
}

// urls are where clients connect: the proxy when there is one.
func (b *bench) urls() []string {
	if b.front != nil {
		return []string{b.front.url}
	}
	out := make([]string, len(b.instances))
	for i, in := range b.instances {
		out[i] = in.url
	}
	return out
}

// connect opens the fleet and waits until every client is subscribed.
func (b *bench) connect(ctx context.Context, perClient int) (*fleet, time.Duration, error) {
	f := newFleet(b.base, b.threadID, perClient)
	if b.cf != nil {
		f.cf, f.topic = b.cf, b.cf.channel
	}
	if b.front != nil {
		f.reconnect = newReconnector("ws"+strings.TrimPrefix(b.front.url, "http")+"/ws", b.readerToken, time.Minute)
	}
	b.onCleanup(f.close)
	logf("opening %d connections to %d instance(s)", b.cfg.clients, len(b.instances))
	start := time.Now()
	if err := f.open(ctx, b.urls(), b.readerToken, b.cfg.clients, b.cfg.dialers); err != nil {
		return nil, 0, err
	}
	if err := f.waitSubscribed(ctx, 60*time.Second+time.Duration(b.cfg.clients)*10*time.Millisecond); err != nil {
		return nil, 0, err
	}
	took := time.Since(start)
	logf("%d clients subscribed to %s in %s", b.cfg.clients, f.topic, took.Round(time.Millisecond))
	return f, took, nil
}

func sleep(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}

func (b *bench) runLoad(ctx context.Context) error {
	r := &result{System: b.cfg.target, Mode: "load", Clients: b.cfg.clients, Instances: len(b.instances), Rate: b.cfg.rate, DurationS: b.cfg.duration.Seconds()}
	r.QuietBusyPct = b.quietCheck(ctx)
	before := b.procStats()

	perClient := int(b.cfg.rate*b.cfg.duration.Seconds()) + 8
	f, took, err := b.connect(ctx, perClient)
	if err != nil {
		return err
	}
	r.ConnectS = took.Seconds()
	if err := sleep(ctx, 2*time.Second); err != nil {
		return err
	}
	if b.cfg.quiet > 0 {
		if err := waitQuiet(ctx, b.cfg.quiet); err != nil {
			return err
		}
	}
	connected := b.procStats()
	metricsBefore := b.scrapeAll(ctx)

	logf("posting %.0f replies/s for %s, alternating between the instances", b.cfg.rate, b.cfg.duration)
	svc0 := readServices()
	cpu0, self0, mach0, t0 := connected, selfCPU(), readMachineCPU(), time.Now()
	posts := b.postReplies(ctx)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	created := 0
	for _, p := range posts {
		if p.err == nil {
			created++
		}
	}
	want := int64(created) * int64(b.cfg.clients)
	logf("%d replies posted; waiting up to %s for the last deliveries", created, b.cfg.drain)
	drainStart := time.Now()
	if err := b.drain(ctx, f, want, drainStart); err != nil {
		return err
	}
	window := time.Since(t0)
	cpu1, self1, mach1 := b.procStats(), selfCPU(), readMachineCPU()
	svc1 := readServices()
	metricsAfter := b.scrapeAll(ctx)
	f.close()

	r.analyse(b, f, posts)
	r.WindowS = window.Seconds()
	r.DrainS = time.Since(drainStart).Seconds()
	if mach1.total > mach0.total {
		r.MachineBusyPct = 100 * float64(mach1.busy-mach0.busy) / float64(mach1.total-mach0.total)
	}
	r.LoadGenCPUS = (self1 - self0).Seconds()
	pg, redis := svc1.since(svc0)
	r.PostgresCPUS, r.RedisCPUS = pg.Seconds(), redis.Seconds()
	r.SoftirqCPUS = float64(mach1.softirq-mach0.softirq) / clockTick
	r.StealCPUS = float64(mach1.steal-mach0.steal) / clockTick
	r.OtherCPUS = float64(mach1.busy-mach0.busy)/clockTick - r.LoadGenCPUS - r.PostgresCPUS - r.RedisCPUS
	for i, in := range b.instances {
		r.Servers = append(r.Servers, serverResult{
			Name: in.name, CPUS: (cpu1[i].cpu - cpu0[i].cpu).Seconds(),
			RSSBeforeMiB: mib(before[i].rss), RSSConnectedMiB: mib(connected[i].rss), RSSAfterMiB: mib(cpu1[i].rss), RSSPeakMiB: mib(cpu1[i].hwm),
			liveCounts:    liveCountsOf(metricsBefore[i], metricsAfter[i]),
			Goroutines:    metricsBefore[i]["go_goroutines"],
			HeapInuseMiB:  metricsBefore[i]["go_memstats_heap_inuse_bytes"] / (1 << 20),
			StackInuseMiB: metricsBefore[i]["go_memstats_stack_inuse_bytes"] / (1 << 20),
		})
		r.ServerCPUS += (cpu1[i].cpu - cpu0[i].cpu).Seconds()
		r.OtherCPUS -= (cpu1[i].cpu - cpu0[i].cpu).Seconds()
		r.KiBPerConn += float64(connected[i].rss - before[i].rss)
	}
	r.KiBPerConn /= float64(b.cfg.clients)
	if r.Delivered > 0 {
		r.ServerUsPerDelivery = r.ServerCPUS * 1e6 / float64(r.Delivered)
		r.LoadGenUsPerDelivery = r.LoadGenCPUS * 1e6 / float64(r.Delivered)
	}
	if n := r.Delivered; n > 0 {
		r.MessageBytes = f.postBytes.Load() / n
	}
	if b.cf == nil {
		r.target()
	}
	b.result = r
	if !b.cfg.compare {
		r.print()
	}
	return nil
}

func (b *bench) runIdle(ctx context.Context) error {
	in := b.instances[0]
	r := &result{Mode: "idle", Clients: b.cfg.clients, Instances: 1}
	r.QuietBusyPct = b.quietCheck(ctx)
	before, _ := readProc(in.pid())
	f, took, err := b.connect(ctx, 0)
	if err != nil {
		return err
	}
	r.ConnectS = took.Seconds()
	logf("letting the instance settle for %s", b.cfg.settle)
	if err := sleep(ctx, b.cfg.settle); err != nil {
		return err
	}
	after, _ := readProc(in.pid())
	m := in.scrapeMetrics(ctx)
	if n := f.ended.Load(); n > 0 {
		logf("warning: %d connections ended while idle", n)
	}
	r.Disconnected = f.ended.Load()
	r.Servers = []serverResult{{
		Name: in.name, RSSBeforeMiB: mib(before.rss), RSSConnectedMiB: mib(after.rss), RSSPeakMiB: mib(after.hwm),
		Goroutines: m["go_goroutines"], HeapInuseMiB: m["go_memstats_heap_inuse_bytes"] / (1 << 20),
		StackInuseMiB: m["go_memstats_stack_inuse_bytes"] / (1 << 20), Connections: m["ideasx_ws_connections"],
	}}
	r.KiBPerConn = float64(after.rss-before.rss) / float64(b.cfg.clients)
	r.target()
	r.print()
	return nil
}

// drain waits, at most the configured drain time from since, until every
// client has every post (want deliveries in all) or has gone.
func (b *bench) drain(ctx context.Context, f *fleet, want int64, since time.Time) error {
	for f.fresh.Load() < want && time.Since(since) < b.cfg.drain && f.ended.Load() < int64(b.cfg.clients) {
		if err := sleep(ctx, 10*time.Millisecond); err != nil {
			return err
		}
	}
	return nil
}

func (b *bench) scrapeAll(ctx context.Context) []map[string]float64 {
	out := make([]map[string]float64, len(b.instances))
	for i, in := range b.instances {
		out[i] = in.scrapeMetrics(ctx)
	}
	return out
}

func mib(kib int64) float64 { return float64(kib) / 1024 }
