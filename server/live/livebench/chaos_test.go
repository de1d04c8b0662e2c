package main

import (
	"errors"
	"slices"
	"testing"
	"time"
)

// The convergence figure is the one the target hangs on: the last arrival,
// at any client, of a post made before Redis returned, counted from the
// return; a post made after it does not count, and a loss leaves it unset.
func TestChaosFigures(t *testing.T) {
	s := time.Second
	posts := []post{
		{id: 1, start: 5 * s},                        // before the kill at 10 s
		{id: 2, start: 12 * s},                       // during the outage
		{id: 3, start: 15 * s, err: errors.New("x")}, // failed during the outage
		{id: 4, start: 21 * s},                       // after the return at 20 s
	}
	f := &fleet{clients: []*client{
		{recv: []delivery{{1, 5*s + 20e6}, {2, 12*s + 30e6}, {4, 30 * s}}},
		{recv: []delivery{{1, 5*s + 40e6}, {2, 22 * s}, {4, 21*s + 10e6}}},
	}}
	phases := func() []chaosPhase {
		return []chaosPhase{{Name: "before", at: 0}, {Name: "killed", at: 10 * s}, {Name: "back", at: 20 * s}}
	}
	cr := chaosFigures(f, posts, phases(), 0)
	var got []int
	for _, ph := range cr.Phases {
		got = append(got, ph.Posts, ph.Failed)
	}
	if !slices.Equal(got, []int{1, 0, 1, 1, 1, 0}) {
		t.Errorf("posts and failed by phase: %v, want [1 0 1 1 1 0]", got)
	}
	if cr.ConvergedS == nil || *cr.ConvergedS != 2 {
		t.Errorf("converged %v, want 2 s after the return (post 2 reached the second client at 22 s)", cr.ConvergedS)
	}
	if p := cr.Phases[1].Latency; p == nil || p.N != 2 || p.Max != 10000 {
		t.Errorf("latency of the posts made during the fault: %v, want 2 deliveries, the slower 10 s", p)
	}

	early := &fleet{clients: []*client{{recv: []delivery{{1, 6 * s}, {2, 13 * s}, {4, 29 * s}}}}}
	if cr := chaosFigures(early, posts, phases(), 0); cr.ConvergedS == nil || *cr.ConvergedS != 0 {
		t.Errorf("all caught up before the return: converged %v, want 0", cr.ConvergedS)
	}
	if cr := chaosFigures(f, posts, phases(), 1); cr.ConvergedS != nil {
		t.Errorf("with a lost event: converged %v, want none", *cr.ConvergedS)
	}
}
