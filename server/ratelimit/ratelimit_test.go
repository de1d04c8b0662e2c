package ratelimit

import (
	"testing"
	"time"
)

func TestBurstThenRefusal(t *testing.T) {
	l := New(time.Minute, 3)
	for i := range 3 {
		if ok, _ := l.Allow("a"); !ok {
			t.Fatalf("attempt %d refused within the burst", i+1)
		}
	}
	ok, wait := l.Allow("a")
	if ok || wait <= 0 || wait > time.Minute {
		t.Errorf("4th attempt: got ok=%v wait=%v, want refused with a wait of at most a minute", ok, wait)
	}
	if ok, _ := l.Allow("b"); !ok {
		t.Error("another key was refused")
	}
}
