package main

import (
	"errors"
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
	cr := chaosFigures(f, posts, 10*s, 20*s, 0)
	if cr.Before != 1 || cr.During != 1 || cr.After != 1 || cr.FailedDuring != 1 {
		t.Errorf("phases: %d before, %d during (%d failed), %d after; want 1, 1 (1), 1", cr.Before, cr.During, cr.FailedDuring, cr.After)
	}
	if cr.ConvergedS == nil || *cr.ConvergedS != 2 {
		t.Errorf("converged %v, want 2 s after the return (post 2 reached the second client at 22 s)", cr.ConvergedS)
	}
	if cr.OutageS != 10 {
		t.Errorf("outage %v s, want 10", cr.OutageS)
	}

	early := &fleet{clients: []*client{{recv: []delivery{{1, 6 * s}, {2, 13 * s}, {4, 29 * s}}}}}
	if cr := chaosFigures(early, posts, 10*s, 20*s, 0); cr.ConvergedS == nil || *cr.ConvergedS != 0 {
		t.Errorf("all caught up before the return: converged %v, want 0", cr.ConvergedS)
	}
	if cr := chaosFigures(f, posts, 10*s, 20*s, 1); cr.ConvergedS != nil {
		t.Errorf("with a lost event: converged %v, want none", *cr.ConvergedS)
	}
}
