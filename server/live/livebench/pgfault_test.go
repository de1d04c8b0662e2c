package main

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

// The check the Postgres fault hangs on: a post answered 201 must be in the
// database under the id it was given; a refused one that was saved anyway,
// or one saved twice, is told apart.
func TestMatchSaved(t *testing.T) {
	refused := &apiError{status: 503, code: "unavailable", retryAfter: "5"}
	posts := []post{
		{id: 10},              // reply 1: saved as 10
		{id: 11},              // reply 2: answered 201, not there
		{err: refused},        // reply 3: refused, not there
		{err: refused},        // reply 4: refused, but saved
		{id: 14},              // reply 5: saved under another id
		{id: 15},              // reply 6: saved twice
		{err: errors.New("")}, // reply 7: no answer, not there
	}
	saved := map[int][]int64{1: {10}, 4: {13}, 5: {99}, 6: {15, 16}}
	got := matchSaved(posts, saved)
	want := savedCheck{Checked: true, Confirmed: 2, Missing: 2, FailedSaved: 1, Twice: 1}
	got.firstMiss = ""
	if got != want {
		t.Errorf("matchSaved = %+v, want %+v", got, want)
	}
	if benchReply.FindStringSubmatch(replyBody(12))[1] != "12" {
		t.Errorf("the reply number is not found in %q", replyBody(12))
	}
}

// Only a 503 "unavailable" with Retry-After is the clear answer the API
// promises while the database is away.
func TestFailureKind(t *testing.T) {
	for _, c := range []struct {
		err   error
		kind  string
		clear bool
	}{
		{&apiError{status: 503, code: "unavailable", retryAfter: "5"}, "503 unavailable (Retry-After 5)", true},
		{&apiError{status: 503, code: "unavailable"}, "503 unavailable", false},
		{&apiError{status: 500, code: "internal"}, "500 internal", false},
		{fmt.Errorf("post: %w", &apiError{status: 502}), "502", false},
		{errors.New("EOF"), "connection error", false},
	} {
		kind, clear := failureKind(c.err)
		if kind != c.kind || clear != c.clear {
			t.Errorf("failureKind(%v) = %q, %v; want %q, %v", c.err, kind, clear, c.kind, c.clear)
		}
	}
}

// Readiness around the outage: the probes sent while Postgres was down, when
// the instance first said so, and when it was ready again after the last
// probe that was not 200, counted from the return.
func TestReadyAround(t *testing.T) {
	ms := time.Millisecond
	down, back := 1000*ms, 2000*ms
	samples := []readySample{
		{900 * ms, 200}, {1100 * ms, 200}, {1300 * ms, 503}, {1500 * ms, 0}, {1900 * ms, 503},
		{2100 * ms, 503}, {2300 * ms, 200}, {2500 * ms, 200},
	}
	g := readyAround("A", samples, down, back, back)
	if g.GapProbes != 4 || g.GapReady != 1 || g.GapNotReady != 2 || g.GapNoAnswer != 1 {
		t.Errorf("while down: %+v, want 4 probes: one 200, two 503, one unanswered", g)
	}
	if g.NotReadyAfterS == nil || *g.NotReadyAfterS != 0.3 {
		t.Errorf("not ready after %v, want 0.3 s", g.NotReadyAfterS)
	}
	if g.ReadyAgainS == nil || *g.ReadyAgainS != 0.3 {
		t.Errorf("ready again after %v, want 0.3 s (the 200 after the 503 at 2.1 s)", g.ReadyAgainS)
	}
	if g := readyAround("A", samples[:6], down, back, back); g.ReadyAgainS != nil {
		t.Errorf("never 200 after the outage: ready again after %v, want never", *g.ReadyAgainS)
	}
	if g := readyAround("A", []readySample{{1100 * ms, 200}, {2100 * ms, 200}}, down, back, back); g.ReadyAgainS == nil || *g.ReadyAgainS != 0 || g.NotReadyAfterS != nil {
		t.Errorf("always ready: %+v, want ready again 0 and never not ready", g)
	}
	// The new Postgres accepting connections before the bench sees it
	// does: a 200 then is not counted as ready while down.
	if g := readyAround("A", samples, down, 1800*ms, back); g.GapProbes != 3 || g.GapNotReady != 1 {
		t.Errorf("gap ending at the restart: %+v, want 3 probes, one 503", g)
	}
}
