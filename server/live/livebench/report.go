package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"time"
)

type result struct {
	System    string  `json:"system"` // ideasx or centrifugo
	Mode      string  `json:"mode"`   // load or idle
	Clients   int     `json:"clients"`
	Instances int     `json:"instances"`
	Rate      float64 `json:"rate,omitempty"`
	DurationS float64 `json:"duration_s,omitempty"`
	ConnectS  float64 `json:"connect_s"`
	// QuietBusyPct is how busy the machine was before the run, instances idle.
	QuietBusyPct float64 `json:"quiet_busy_pct"`

	Posts      int          `json:"posts,omitempty"`
	PostErrors int          `json:"post_errors,omitempty"`
	PostMs     *percentiles `json:"post_request_ms,omitempty"`

	Expected     int64 `json:"expected,omitempty"`
	Delivered    int64 `json:"delivered,omitempty"`
	Lost         int64 `json:"lost"`
	Duplicated   int64 `json:"duplicated"`
	Unknown      int64 `json:"unknown_post_ids,omitempty"`
	Disconnected int64 `json:"disconnected"`
	Resets       int64 `json:"resets,omitempty"`
	Errors       int64 `json:"errors,omitempty"`

	LatencyMs *percentiles `json:"latency_ms,omitempty"`
	// MessageBytes is the mean length of the post frames the clients got.
	MessageBytes int64        `json:"message_bytes,omitempty"`
	SameMs       *percentiles `json:"latency_same_instance_ms,omitempty"`
	CrossMs      *percentiles `json:"latency_other_instance_ms,omitempty"`
	// AfterResponseMs is delivery time minus the end of the POST request:
	// what the live path adds to writing the reply (negative: the event
	// came before the HTTP answer).
	AfterResponseMs *percentiles `json:"after_response_ms,omitempty"`
	// FirstMs is, per message, when its first client read it (from the
	// publish request sent), and SpreadMs how long after that its last
	// one did: when delivery starts, and how long it takes to reach
	// everyone, two things latency alone runs together.
	FirstMs  *percentiles `json:"first_delivery_ms,omitempty"`
	SpreadMs *percentiles `json:"spread_ms,omitempty"`

	WindowS        float64 `json:"window_s,omitempty"`
	DrainS         float64 `json:"drain_s,omitempty"`
	ServerCPUS     float64 `json:"server_cpu_s,omitempty"`
	LoadGenCPUS    float64 `json:"loadgen_cpu_s,omitempty"`
	MachineBusyPct float64 `json:"machine_busy_pct,omitempty"`
	PostgresCPUS   float64 `json:"postgres_cpu_s,omitempty"`
	RedisCPUS      float64 `json:"redis_cpu_s,omitempty"`
	SoftirqCPUS    float64 `json:"softirq_cpu_s,omitempty"` // mostly loopback TCP; partly charged to the processes above
	StealCPUS      float64 `json:"steal_cpu_s,omitempty"`   // taken by the hypervisor
	// OtherCPUS is the machine's busy time not charged to the processes
	// above: other work running, and interrupts.
	OtherCPUS float64 `json:"other_cpu_s,omitempty"`
	// CPU per delivery, in microseconds: the figures least disturbed by
	// other work on the machine.
	ServerUsPerDelivery  float64        `json:"server_us_per_delivery,omitempty"`
	LoadGenUsPerDelivery float64        `json:"loadgen_us_per_delivery,omitempty"`
	Servers              []serverResult `json:"servers"`
	KiBPerConn           float64        `json:"kib_per_conn"`

	Chaos *chaosResult `json:"chaos,omitempty"` // with -chaos

	Target     string `json:"target,omitempty"`
	TargetMet  *bool  `json:"target_met,omitempty"`
	firstError string
}

type serverResult struct {
	Name            string  `json:"name"`
	CPUS            float64 `json:"cpu_s,omitempty"`
	RSSBeforeMiB    float64 `json:"rss_before_mib"`
	RSSConnectedMiB float64 `json:"rss_connected_mib"`
	RSSAfterMiB     float64 `json:"rss_after_mib,omitempty"`
	RSSPeakMiB      float64 `json:"rss_peak_mib"`
	Connections     float64 `json:"connections,omitempty"`
	Goroutines      float64 `json:"goroutines"`
	HeapInuseMiB    float64 `json:"heap_inuse_mib"`
	StackInuseMiB   float64 `json:"stack_inuse_mib"`
	liveCounts
}

// liveCounts are what an instance's /metrics counted of the live path
// during a run.
type liveCounts struct {
	Sent            float64 `json:"sent,omitempty"`
	Dropped         float64 `json:"dropped,omitempty"`
	SlowDisconnects float64 `json:"slow_disconnects,omitempty"`
	PublishErrors   float64 `json:"publish_errors,omitempty"`
	Replayed        float64 `json:"replayed,omitempty"`
}

func liveCountsOf(before, after map[string]float64) liveCounts {
	if len(after) == 0 {
		return liveCounts{} // gone by then (-chaos sigterm): nothing to say
	}
	return liveCounts{
		Sent:            after["ideasx_ws_messages_sent_total"] - before["ideasx_ws_messages_sent_total"],
		Dropped:         after["ideasx_ws_messages_dropped_total"],
		SlowDisconnects: after["ideasx_ws_slow_disconnects_total"],
		PublishErrors:   after["ideasx_live_broker_publish_errors_total"],
		Replayed:        after["ideasx_live_events_replayed_total"],
	}
}

type percentiles struct {
	N   int     `json:"n"`
	P50 float64 `json:"p50"`
	P95 float64 `json:"p95"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

func newPercentiles(d []time.Duration) *percentiles {
	if len(d) == 0 {
		return nil
	}
	slices.Sort(d)
	at := func(q float64) float64 {
		i := int(math.Ceil(q*float64(len(d)))) - 1
		return ms(d[max(i, 0)])
	}
	return &percentiles{N: len(d), P50: at(.50), P95: at(.95), P99: at(.99), Max: ms(d[len(d)-1])}
}

func ms(d time.Duration) float64 { return math.Round(float64(d)/1e3) / 1e3 }

func (p *percentiles) String() string {
	if p == nil {
		return "none"
	}
	return fmt.Sprintf("p50 %.1f ms  p95 %.1f ms  p99 %.1f ms  max %.1f ms  (n=%d)", p.P50, p.P95, p.P99, p.Max, p.N)
}

// analyse matches what each client received with what was posted.
func (r *result) analyse(b *bench, f *fleet, posts []post) {
	byID := make(map[int64]*post, len(posts))
	var postDur []time.Duration
	for i := range posts {
		p := &posts[i]
		if p.err != nil {
			r.PostErrors++
			if r.firstError == "" {
				r.firstError = p.err.Error()
			}
			continue
		}
		byID[p.id] = p
		postDur = append(postDur, p.done-p.start)
	}
	r.Posts = len(byID)
	r.PostMs = newPercentiles(postDur)
	r.Expected = int64(len(byID)) * int64(len(f.clients))
	var all, same, cross, after []time.Duration
	first := make(map[int64]time.Duration, len(byID))
	last := make(map[int64]time.Duration, len(byID))
	seen := make(map[int64]bool, len(byID))
	for _, c := range f.clients {
		clear(seen)
		for _, d := range c.recv {
			p := byID[d.id]
			if p == nil {
				r.Unknown++
				continue
			}
			if seen[d.id] {
				r.Duplicated++
				continue
			}
			seen[d.id] = true
			lat := d.at - p.start
			if v, ok := first[d.id]; !ok || lat < v {
				first[d.id] = lat
			}
			last[d.id] = max(last[d.id], lat)
			all = append(all, lat)
			after = append(after, d.at-p.done)
			if p.inst == c.inst {
				same = append(same, lat)
			} else {
				cross = append(cross, lat)
			}
		}
		r.Delivered += int64(len(seen))
	}
	r.Lost = r.Expected - r.Delivered
	firsts, spreads := make([]time.Duration, 0, len(first)), make([]time.Duration, 0, len(first))
	for id, at := range first {
		firsts, spreads = append(firsts, at), append(spreads, last[id]-at)
	}
	r.FirstMs, r.SpreadMs = newPercentiles(firsts), newPercentiles(spreads)
	r.LatencyMs, r.SameMs, r.CrossMs, r.AfterResponseMs = newPercentiles(all), newPercentiles(same), newPercentiles(cross), newPercentiles(after)
	r.Disconnected, r.Resets, r.Errors = f.ended.Load(), f.resets.Load(), f.errors.Load()
	if e := f.firstErr.Load(); e != nil && r.firstError == "" {
		r.firstError = *e
	}
}

// target compares with issue 5 where it names a target for this setting.
func (r *result) target() {
	var ok bool
	switch {
	case r.Mode == "idle":
		r.Target = "≤ 20 KiB RSS per idle connection"
		ok = r.KiBPerConn <= 20 && r.Disconnected == 0
	case r.Clients == 1000 && r.Instances == 2 && r.Rate == 20:
		r.Target = "0 lost, 0 duplicated, p99 ≤ 25 ms"
		ok = r.Lost == 0 && r.Duplicated == 0 && r.LatencyMs != nil && r.LatencyMs.P99 <= 25
	case r.Clients == 5000 && r.Instances == 2 && r.Rate == 20:
		r.Target = "0 lost, 0 duplicated, p99 ≤ 250 ms"
		ok = r.Lost == 0 && r.Duplicated == 0 && r.LatencyMs != nil && r.LatencyMs.P99 <= 250
	default:
		return
	}
	r.TargetMet = &ok
}

func (r *result) print() {
	w := &strings.Builder{}
	line := func(format string, args ...any) { fmt.Fprintf(w, format+"\n", args...) }
	line("")
	if r.Mode == "idle" {
		s := r.Servers[0]
		line("Live benchmark, idle: %d connections subscribed to one thread on one instance (opened in %.1f s)", r.Clients, r.ConnectS)
		line("  RSS before %.1f MiB, after %.1f MiB (peak %.1f MiB): %.2f KiB per connection", s.RSSBeforeMiB, s.RSSConnectedMiB, s.RSSPeakMiB, r.KiBPerConn)
		line("  server: %0.f connections, %.0f goroutines, heap in use %.1f MiB, stacks %.1f MiB", s.Connections, s.Goroutines, s.HeapInuseMiB, s.StackInuseMiB)
		line("  machine      %.0f%% busy before the run", r.QuietBusyPct)
		if r.Disconnected > 0 {
			line("  %d connections ended while idle", r.Disconnected)
		}
	} else if r.Chaos != nil {
		line("Chaos (%s): %d clients over %d instances, one thread, %.0f replies/s for %.0f s", r.Chaos.Fault, r.Clients, r.Instances, r.Rate, r.DurationS)
		line("  connect      %d clients subscribed in %.1f s", r.Clients, r.ConnectS)
		line("  posting      %d created, %d failed; request %s", r.Posts, r.PostErrors, r.PostMs)
		line("  deliveries   expected %d, delivered %d, lost %d, duplicated %d", r.Expected, r.Delivered, r.Lost, r.Duplicated)
		line("               disconnected clients %d, resets %d, errors %d, unknown post ids %d", r.Disconnected, r.Resets, r.Errors, r.Unknown)
		r.Chaos.print(line)
		for _, s := range r.Servers {
			line("  instance %s   sent %.0f, dropped %.0f, slow disconnects %.0f, publish errors %.0f, replayed %.0f",
				s.Name, s.Sent, s.Dropped, s.SlowDisconnects, s.PublishErrors, s.Replayed)
		}
		line("  machine      %d cores, %.0f%% busy during the window; load average before the run %s (other work on the machine counts)", cores(), r.MachineBusyPct, r.Chaos.LoadAvg)
	} else {
		line("Live benchmark (%s): %d clients over %d instances, one thread, %.0f replies/s for %.0f s, %d-byte messages", r.System, r.Clients, r.Instances, r.Rate, r.DurationS, r.MessageBytes)
		line("  connect      %d clients subscribed in %.1f s", r.Clients, r.ConnectS)
		line("  posts        %d created, %d failed; request %s", r.Posts, r.PostErrors, r.PostMs)
		line("  deliveries   expected %d, delivered %d, lost %d, duplicated %d", r.Expected, r.Delivered, r.Lost, r.Duplicated)
		line("               disconnected clients %d, resets %d, errors %d, unknown post ids %d", r.Disconnected, r.Resets, r.Errors, r.Unknown)
		line("  latency      %s", r.LatencyMs)
		line("    same inst. %s", r.SameMs)
		line("    via Redis  %s", r.CrossMs)
		line("  after POST   %s  (delivery - end of the POST request)", r.AfterResponseMs)
		line("  per message  first client %s", r.FirstMs)
		line("               first to last %s", r.SpreadMs)
		line("  CPU          %.1f s window (posting %.0f s + drain %.1f s): servers %.2f s, load generator %.2f s, Postgres %.2f s, Redis %.2f s,",
			r.WindowS, r.DurationS, r.DrainS, r.ServerCPUS, r.LoadGenCPUS, r.PostgresCPUS, r.RedisCPUS)
		line("               not charged to these: %.2f s (other work on the machine, interrupts; softirq in all %.2f s); stolen by the hypervisor %.2f s",
			r.OtherCPUS, r.SoftirqCPUS, r.StealCPUS)
		line("               machine %.0f%% busy of %d cores (%.0f%% before the run, all idle)", r.MachineBusyPct, cores(), r.QuietBusyPct)
		line("               per delivery: servers %.1f µs, load generator %.1f µs", r.ServerUsPerDelivery, r.LoadGenUsPerDelivery)
		for _, s := range r.Servers {
			line("  instance %s   CPU %.2f s; RSS %.1f MiB before clients, %.1f connected, %.1f after posting, peak %.1f; heap %.1f MiB, stacks %.1f MiB, %.0f goroutines",
				s.Name, s.CPUS, s.RSSBeforeMiB, s.RSSConnectedMiB, s.RSSAfterMiB, s.RSSPeakMiB, s.HeapInuseMiB, s.StackInuseMiB, s.Goroutines)
			line("               sent %.0f, dropped %.0f, slow disconnects %.0f, publish errors %.0f, replayed %.0f",
				s.Sent, s.Dropped, s.SlowDisconnects, s.PublishErrors, s.Replayed)
		}
		line("  memory       %.1f KiB RSS per connection (connected - before, both instances; rough, a GC in between moves it: see -idle)", r.KiBPerConn)
	}
	if r.firstError != "" {
		line("  first error  %.300s", r.firstError)
	}
	if r.TargetMet != nil {
		verdict := "met"
		if !*r.TargetMet {
			verdict = "MISSED"
		}
		line("  target       %s: %s", r.Target, verdict)
	}
	fmt.Print(w.String())
	data, _ := json.Marshal(r)
	fmt.Printf("%s\n", data)
	_ = os.Stdout.Sync()
}
