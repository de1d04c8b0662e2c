package server

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// dependencies asks the database and the other services (Redis) how they
// are, for /readyz and /metrics, and logs each change of state once: the
// probes ask every few seconds, and a line per probe would bury the one
// that says when an outage began.
type dependencies struct {
	// database decides readiness: without it no page can be served.
	database ReadyCheck
	// others are reported only. Redis just rings the bell between
	// instances (each finds missed events in the database), so an instance
	// without it still serves pages and takes posts; taking every instance
	// out of the load balancer at once for it would be the real outage.
	others []ReadyCheck
	log    *slog.Logger
	up     *prometheus.Desc

	mu    sync.Mutex
	state map[string]depState
}

type depState struct {
	up    bool
	since time.Time
}

func newDependencies(database ReadyCheck, others []ReadyCheck, log *slog.Logger) *dependencies {
	return &dependencies{
		database: database, others: others, log: log, state: map[string]depState{},
		up: prometheus.NewDesc("ideasx_dependency_up", "Whether the instance reaches a dependency (1) or not (0); only the database decides readiness.",
			[]string{"dependency"}, nil),
	}
}

// depReport is one dependency's answer.
type depReport struct {
	name  string
	up    bool
	since time.Time
}

// check asks every dependency at once, so that a slow one does not add
// its timeout to the others'.
func (d *dependencies) check(ctx context.Context) []depReport {
	all := append([]ReadyCheck{d.database}, d.others...)
	reports := make([]depReport, len(all))
	var wg sync.WaitGroup
	for i, c := range all {
		wg.Go(func() {
			err := c.Check(ctx)
			reports[i] = d.observe(c.Name, err)
		})
	}
	wg.Wait()
	return reports
}

// observe records a dependency's state and logs it when it changed.
func (d *dependencies) observe(name string, err error) depReport {
	d.mu.Lock()
	defer d.mu.Unlock()
	prev, known := d.state[name]
	now := depState{up: err == nil, since: time.Now()}
	if known && prev.up == now.up {
		return depReport{name: name, up: prev.up, since: prev.since}
	}
	d.state[name] = now
	switch {
	case err != nil:
		d.log.Warn("dependency down", "dependency", name, "error", err, "decides_readiness", name == d.database.Name)
	case known:
		d.log.Info("dependency back", "dependency", name, "down_for", now.since.Sub(prev.since).Round(time.Second).String())
	}
	return depReport{name: name, up: now.up, since: now.since}
}

// Describe and Collect make the dependencies a Prometheus collector: each
// scrape asks them afresh, so the metric and the log do not wait for a probe.
func (d *dependencies) Describe(ch chan<- *prometheus.Desc) { ch <- d.up }

func (d *dependencies) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	for _, r := range d.check(ctx) {
		v := 0.0
		if r.up {
			v = 1
		}
		ch <- prometheus.MustNewConstMetric(d.up, prometheus.GaugeValue, v, r.name)
	}
}
