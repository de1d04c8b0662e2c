package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"
)

const (
	targetIdeasx     = "ideasx"
	targetCentrifugo = "centrifugo"
	targetBoth       = "both"
)

// comparison is the JSON line of -target both: every round of each
// system, and the ratios of the medians over rounds.
type comparison struct {
	Rounds     int       `json:"rounds"`
	Ideasx     []*result `json:"ideasx"`
	Centrifugo []*result `json:"centrifugo"`
	// Ratios are ideasx / Centrifugo of the median over rounds: above 1,
	// ideasx is slower.
	RatioP50 float64 `json:"ratio_p50"`
	RatioP99 float64 `json:"ratio_p99"`
}

// runCompare measures ideasx and Centrifugo in turn, each round with a
// fresh setup, so that both meet the same moments of a busy machine.
func runCompare(ctx context.Context, c config) error {
	if c.rounds < 1 {
		return errors.New("-rounds must be at least 1")
	}
	c.compare = true
	if c.bin == "" {
		// One build for every ideasx round.
		tmp, err := os.MkdirTemp("", "livebench-build-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		b := &bench{cfg: c, tmp: tmp}
		if err := b.build(ctx); err != nil {
			return err
		}
		c.bin = b.bin
	}
	cmp := &comparison{Rounds: c.rounds}
	for round := 1; round <= c.rounds; round++ {
		for _, target := range []string{targetIdeasx, targetCentrifugo} {
			rc := c
			rc.target = target
			if target == targetCentrifugo && rc.messageBytes <= 0 && len(cmp.Ideasx) > 0 {
				rc.messageBytes = int(cmp.Ideasx[len(cmp.Ideasx)-1].MessageBytes)
			}
			logf("round %d of %d: %s", round, c.rounds, target)
			b := &bench{cfg: rc, base: time.Now()}
			err := b.run(ctx)
			b.cleanup()
			if err != nil {
				if errors.Is(err, context.Canceled) {
					err = errors.New("interrupted")
				}
				return fmt.Errorf("round %d, %s: %w", round, target, err)
			}
			r := b.result
			logf("round %d %s: latency %s; lost %d", round, target, r.LatencyMs, r.Lost)
			if target == targetIdeasx {
				cmp.Ideasx = append(cmp.Ideasx, r)
			} else {
				cmp.Centrifugo = append(cmp.Centrifugo, r)
			}
		}
	}
	cmp.print(c)
	return nil
}

func (cmp *comparison) print(c config) {
	w := &strings.Builder{}
	line := func(format string, args ...any) { fmt.Fprintf(w, format+"\n", args...) }
	line("")
	line("Live delivery, ideasx vs Centrifugo v6 (Redis engine): %d clients over 2 instances/nodes, %.0f messages/s for %s, %d rounds taken in turn",
		c.clients, c.rate, c.duration, cmp.Rounds)
	line("latency: from the publish request sent (POST reply / POST /api/publish) to the message read by each client; ms")
	line("%-6s  %-10s  %8s  %8s  %8s  %8s  %9s  %10s  %10s  %6s  %6s  %9s  %8s", "round", "system", "p50", "p95", "p99", "max", "first p50", "spread p50",
		"delivered", "lost", "bytes", "server µs", "busy %")
	for i := range cmp.Rounds {
		for _, r := range []*result{cmp.Ideasx[i], cmp.Centrifugo[i]} {
			p, first, spread := orZero(r.LatencyMs), orZero(r.FirstMs), orZero(r.SpreadMs)
			line("%-6d  %-10s  %8.1f  %8.1f  %8.1f  %8.1f  %9.1f  %10.1f  %10d  %6d  %6d  %9.1f  %8.0f",
				i+1, r.System, p.P50, p.P95, p.P99, p.Max, first.P50, spread.P50, r.Delivered, r.Lost, r.MessageBytes, r.ServerUsPerDelivery, r.MachineBusyPct)
		}
	}
	i50, i99 := medianOf(cmp.Ideasx, func(p *percentiles) float64 { return p.P50 }), medianOf(cmp.Ideasx, func(p *percentiles) float64 { return p.P99 })
	c50, c99 := medianOf(cmp.Centrifugo, func(p *percentiles) float64 { return p.P50 }), medianOf(cmp.Centrifugo, func(p *percentiles) float64 { return p.P99 })
	if c50 > 0 && c99 > 0 {
		cmp.RatioP50, cmp.RatioP99 = i50/c50, i99/c99
	}
	line("median over rounds: ideasx p50 %.1f ms, p99 %.1f ms; Centrifugo p50 %.1f ms, p99 %.1f ms", i50, i99, c50, c99)
	line("ratio ideasx / Centrifugo: p50 %.2f, p99 %.2f (above 1: ideasx slower; issue 17 wants p99 ≤ 1)", cmp.RatioP50, cmp.RatioP99)
	line("first p50: when a message's first client read it; spread p50: from then until its last client did")
	line("busy %% is the whole machine during each window: other work running weighs on both systems")
	fmt.Print(w.String())
	data, _ := json.Marshal(cmp)
	fmt.Printf("%s\n", data)
	_ = os.Stdout.Sync()
}

// medianOf is the median over rounds of one latency percentile.
func medianOf(rs []*result, pick func(*percentiles) float64) float64 {
	var v []time.Duration
	for _, r := range rs {
		if r.LatencyMs != nil {
			v = append(v, time.Duration(pick(r.LatencyMs)*float64(time.Millisecond)))
		}
	}
	p := newPercentiles(v)
	if p == nil {
		return 0
	}
	return p.P50
}

// orZero is p, or zeros for a round that measured nothing.
func orZero(p *percentiles) *percentiles {
	if p == nil {
		return &percentiles{}
	}
	return p
}
