package main

import (
	"testing"
	"time"
)

// Each message's first delivery and spread are its own: the first client
// to read it, counted from its own POST, and its last client after that.
func TestFirstDeliveryAndSpreadPerMessage(t *testing.T) {
	ms := time.Millisecond
	posts := []post{{id: 1, start: 0, done: 3 * ms}, {id: 2, start: 50 * ms, done: 52 * ms}}
	f := &fleet{clients: []*client{
		{recv: []delivery{{1, 4 * ms}, {2, 60 * ms}}},
		{recv: []delivery{{1, 12 * ms}, {2, 56 * ms}}},
		{recv: []delivery{{1, 6 * ms}, {2, 70 * ms}}},
	}}
	var r result
	r.analyse(&bench{}, f, posts)
	// Message 1: first at 4 ms, last at 12; message 2: first 6 ms after
	// its POST, last at 20.
	if r.FirstMs == nil || r.FirstMs.N != 2 || r.FirstMs.P50 != 4 || r.FirstMs.Max != 6 {
		t.Errorf("first deliveries %+v, want 4 and 6 ms", r.FirstMs)
	}
	if r.SpreadMs == nil || r.SpreadMs.N != 2 || r.SpreadMs.P50 != 8 || r.SpreadMs.Max != 14 {
		t.Errorf("spreads %+v, want 8 and 14 ms", r.SpreadMs)
	}
}
