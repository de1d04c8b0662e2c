package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// -chaos sigterm (make chaos-stop; issue 12, "SIGTERM under load: no
// request fails at the proxy"): Caddy, configured from deploy/Caddyfile,
// in front of both instances; websockets, posts and a steady stream of
// thread page GETs all go through it, and instance A gets SIGTERM, by its
// pid, while posting. The instances run with IDEASX_SHUTDOWN_DELAY
// (-shutdown-delay; 0 to see what it prevents). Clients reconnect as the
// site's page does and catch up with `since`.

// stopEnv is what the instances get besides the usual: the delay, and
// the proxy trusted as in deploy/compose.yaml.
func (b *bench) stopEnv() []string {
	if b.cfg.chaos != "sigterm" {
		return nil
	}
	return []string{"IDEASX_SHUTDOWN_DELAY=" + b.cfg.shutdownDelay.String(), "IDEASX_TRUSTED_PROXIES=127.0.0.1"}
}

func (b *bench) stopSteps() []*chaosStep {
	a := b.instances[0]
	return []*chaosStep{
		{at: b.cfg.chaosBefore, what: "SIGTERM to instance A", do: func(context.Context) error {
			logf("sending SIGTERM to instance A (pid %d; IDEASX_SHUTDOWN_DELAY=%s)", a.pid(), b.cfg.shutdownDelay)
			return a.cmd.Process.Signal(syscall.SIGTERM)
		}},
		{at: b.cfg.chaosBefore, what: "instance A exited", do: func(ctx context.Context) error {
			select {
			case <-a.exited:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(2 * time.Minute):
				return errors.New("instance A still running 2 minutes after SIGTERM")
			}
		}},
	}
}

// pageLoad GETs the thread's page through the proxy at a steady rate from
// a few goroutines, as readers browsing would, and sorts what failed.
type pageLoad struct {
	sent, ok atomic.Int64
	mu       sync.Mutex
	failures map[string]int
	firstAt  time.Duration // since bench.base, of the first failure
	lat      [][]time.Duration
	stop     chan struct{}
	wg       sync.WaitGroup
	began    time.Time
	took     time.Duration
}

func (b *bench) startPages(rate float64, workers int) *pageLoad {
	pl := &pageLoad{failures: map[string]int{}, lat: make([][]time.Duration, workers), stop: make(chan struct{}), began: time.Now()}
	client := &http.Client{
		Timeout:       30 * time.Second,
		Transport:     &http.Transport{MaxIdleConnsPerHost: workers, IdleConnTimeout: time.Minute},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	u := fmt.Sprintf("%s/forum/threads/%d", b.front.url, b.threadID)
	interval := time.Duration(float64(workers) / rate * float64(time.Second))
	for w := range workers {
		pl.wg.Add(1)
		go func() {
			defer pl.wg.Done()
			// Spread the workers over the interval.
			next := time.Now().Add(interval * time.Duration(w) / time.Duration(workers))
			for {
				select {
				case <-pl.stop:
					return
				case <-time.After(time.Until(next)):
				}
				// An open loop that does not pile up: a late request moves
				// the schedule rather than being followed by a burst.
				next = next.Add(interval)
				if now := time.Now(); next.Before(now) {
					next = now
				}
				t0 := time.Now()
				kind := pl.get(client, u, b.readerToken)
				pl.sent.Add(1)
				if kind == "" {
					pl.ok.Add(1)
					pl.lat[w] = append(pl.lat[w], time.Since(t0))
					continue
				}
				pl.mu.Lock()
				if len(pl.failures) == 0 {
					pl.firstAt = time.Since(b.base)
				}
				pl.failures[kind]++
				pl.mu.Unlock()
			}
		}()
	}
	return pl
}

// get fetches the page; "" when it came (2xx or 3xx, whole body), else
// the kind of failure.
func (pl *pageLoad) get(client *http.Client, u, token string) string {
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		return errKind(err)
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return "body cut: " + errKind(err)
	}
	if resp.StatusCode >= 400 {
		return fmt.Sprintf("answered %d %s", resp.StatusCode, answeredBy(resp.Header.Get("X-Request-Id") != ""))
	}
	return ""
}

func (pl *pageLoad) end() {
	close(pl.stop)
	pl.wg.Wait()
	pl.took = time.Since(pl.began)
}

// answeredBy tells an instance's answer (it names the request, or the
// API's error has a code) from one Caddy made up (502 when the upstream
// failed, 503 when none was available).
func answeredBy(app bool) string {
	if app {
		return "by the instance"
	}
	return "by Caddy"
}

// stopOutcome is what the stop did to the requests through the proxy.
type stopOutcome struct {
	Delay        string         `json:"shutdown_delay"`
	ProxyRetries bool           `json:"proxy_retries"`
	ExitS        float64        `json:"sigterm_to_exit_s"`
	NotReadyS    float64        `json:"sigterm_to_readyz_503_s"` // -1: A was never seen not ready
	OtherNotOK   int            `json:"other_instance_readyz_not_200"`
	PagesSent    int64          `json:"pages_sent"`
	PagesFailed  int64          `json:"pages_failed"`
	PageRate     float64        `json:"pages_per_s"`
	PageFailures map[string]int `json:"page_failures"`
	PageMs       *percentiles   `json:"page_ms,omitempty"`
	PostFailures map[string]int `json:"post_failures"`
	WSEnds       map[string]int `json:"ws_ends"`
	WSFailures   map[string]int `json:"ws_reconnect_failures"`
	Reconnected  int64          `json:"ws_reconnections"`
	// InstanceUnavailable counts the instances' "database unavailable"
	// answers (503 by the instance), with the first one's error.
	InstanceUnavailable int    `json:"instance_database_unavailable"`
	FirstUnavailable    string `json:"first_database_unavailable,omitempty"`
	// HealthFailed: Caddy's failed health checks, by instance.
	HealthFailed map[string]int `json:"caddy_health_checks_failed"`
	// Of the clients that reconnected: how many, and what they missed
	// or got twice (the totals are the run's lost and duplicated).
	ClientsBack int   `json:"ws_clients_reconnected"`
	BackLost    int64 `json:"ws_reconnected_lost"`
	BackDup     int64 `json:"ws_reconnected_duplicated"`
}

func (b *bench) stopOutcome(f *fleet, posts []post, rd *readiness, steps []*chaosStep) *stopOutcome {
	signal, exited := steps[0].done, steps[1].done
	o := &stopOutcome{Delay: b.cfg.shutdownDelay.String(), ProxyRetries: !b.cfg.caddyNoRetry, ExitS: (exited - signal).Seconds(), NotReadyS: -1,
		PostFailures: map[string]int{}}
	for _, s := range rd.samples[0] {
		if s.at >= signal && s.status == http.StatusServiceUnavailable {
			o.NotReadyS = (s.at - signal).Seconds()
			break
		}
	}
	for _, s := range rd.samples[1] {
		if s.status != http.StatusOK {
			o.OtherNotOK++
		}
	}
	pl := b.pages
	o.PagesSent, o.PagesFailed = pl.sent.Load(), pl.sent.Load()-pl.ok.Load()
	o.PageRate = float64(o.PagesSent) / pl.took.Seconds()
	o.PageFailures = pl.failures
	var all []time.Duration
	for _, l := range pl.lat {
		all = append(all, l...)
	}
	o.PageMs = newPercentiles(all)
	created := map[int64]bool{}
	for _, p := range posts {
		var ae *apiError
		switch {
		case p.err == nil:
			created[p.id] = true
		case errors.As(p.err, &ae):
			// The API's errors have a code; the proxy's own have none.
			o.PostFailures[strings.TrimSpace(fmt.Sprintf("answered %d %s %s", ae.status, answeredBy(ae.code != ""), ae.code))]++
		default:
			o.PostFailures[errKind(p.err)]++
		}
	}
	for _, in := range b.instances {
		data, _ := os.ReadFile(in.logPath)
		for _, l := range strings.Split(string(data), "\n") {
			if strings.Contains(l, `"database unavailable"`) {
				o.InstanceUnavailable++
				if o.FirstUnavailable == "" {
					o.FirstUnavailable = "instance " + in.name + ": " + l
				}
			}
		}
	}
	o.HealthFailed = b.healthFailures()
	r := f.reconnect
	o.WSEnds, o.WSFailures, o.Reconnected = r.ends, r.failures, r.reconnected.Load()
	for _, c := range f.clients {
		if c == nil || c.reconnects == 0 {
			continue
		}
		o.ClientsBack++
		seen := map[int64]bool{}
		for _, d := range c.recv {
			if seen[d.id] {
				o.BackDup++
			}
			seen[d.id] = true
		}
		for id := range created {
			if !seen[id] {
				o.BackLost++
			}
		}
	}
	return o
}

// met: nothing failed at the proxy, nothing lost or doubled.
func (o *stopOutcome) met() bool {
	return o.PagesFailed == 0 && len(o.PostFailures) == 0 && len(o.WSFailures) == 0 && o.BackLost == 0 && o.BackDup == 0
}

func (o *stopOutcome) print(line func(string, ...any)) {
	ready := "never seen not ready"
	if o.NotReadyS >= 0 {
		ready = fmt.Sprintf("/readyz 503 %.1f s after it", o.NotReadyS)
	}
	retries := "lb_try_duration as shipped"
	if !o.ProxyRetries {
		retries = "no lb_try_duration: Caddy retries nothing"
	}
	line("  stop         IDEASX_SHUTDOWN_DELAY=%s, %s; instance A: %s, exited %.1f s after SIGTERM; instance B not ready %d times", o.Delay, retries, ready, o.ExitS, o.OtherNotOK)
	line("  pages        %d thread page GETs through Caddy (%.0f/s), %d failed: %s; %s", o.PagesSent, o.PageRate, o.PagesFailed, kinds(o.PageFailures), o.PageMs)
	line("  posts        failed through Caddy: %s", kinds(o.PostFailures))
	line("  websockets   ends: %s; %d reconnections by %d clients, failed attempts: %s", kinds(o.WSEnds), o.Reconnected, o.ClientsBack, kinds(o.WSFailures))
	line("               the reconnected clients lost %d and got %d twice", o.BackLost, o.BackDup)
	line("               Caddy's health checks failed: instance A %d times, instance B %d times", o.HealthFailed["A"], o.HealthFailed["B"])
	if o.InstanceUnavailable > 0 {
		line("  instances    answered %d requests 503 \"database unavailable\"; the first: %.400s", o.InstanceUnavailable, o.FirstUnavailable)
	}
}

// stopTarget is the target for -chaos sigterm.
const stopTarget = "no request failed at the proxy (pages, posts, websocket reconnections), 0 lost, 0 duplicated, every client has every post ≤ 5 s after instance A exited"

func stopOK(r *result, cr *chaosResult) bool {
	return cr.Stop.met() && r.Lost == 0 && r.Duplicated == 0 && r.PostErrors == 0 && cr.ConvergedS != nil && *cr.ConvergedS <= 5
}
