package ratelimit

import (
	"context"
	"testing"
	"time"

	"github.com/revoke-dev/revoke/internal/fakeclock"
)

func TestAIMD(t *testing.T) {
	l := New(10, 1)
	l.Throttled(0)
	if r := l.Rate(); r != 5 {
		t.Fatalf("after a 429: %v, want 5", r)
	}
	for range 20 {
		l.Throttled(0)
	}
	if r := l.Rate(); r != 10.0/16 {
		t.Fatalf("floor: %v", r)
	}
	for range 100 {
		l.Succeeded()
	}
	if r := l.Rate(); r != 10 {
		t.Fatalf("recovered to %v, want the ceiling 10", r)
	}
	if l.Throttles() != 21 {
		t.Fatalf("throttles %d", l.Throttles())
	}
}

func TestConfigureKeepsSlowdownFraction(t *testing.T) {
	l := New(1, 1) // a placeholder, as the consumer creates before reading the secret
	l.Configure(450, 500)
	if r := l.Rate(); r != 450 {
		t.Fatalf("reconfigured from a placeholder: %v, want 450", r)
	}
	l.Throttled(0)
	l.Configure(900, 500)
	if r := l.Rate(); r != 450 {
		t.Fatalf("a halved rate must stay halved across a new ceiling: %v", r)
	}
}

func TestWaitHonoursPauseAndDeadline(t *testing.T) {
	l := New(1000, 10)
	l.Throttled(2 * time.Second) // Retry-After: 2
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	if err := l.Wait(ctx); err == nil {
		t.Fatal("Wait returned before the pause ended, within a shorter deadline")
	}
}

// TestConfigureWakesTheWaiters: a waiter asleep until the next token at the
// old rate gets the first token of a new, faster declared rate. (Before:
// Configure changed the rate without waking anyone, and the waiter slept
// out its 20 s at 0.05/s.)
func TestConfigureWakesTheWaiters(t *testing.T) {
	clk := fakeclock.NewManual()
	l := New(MinRate, 1, WithClock(clk))
	if err := l.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- l.Wait(context.Background()) }()
	waitFor(t, "the waiter's timer", func() bool { return clk.Timers() == 1 })
	l.Configure(100, 1)
	waitFor(t, "the waiter to look again", func() bool { return clk.Timers() == 2 })
	clk.Advance(10 * time.Millisecond) // one token at 100/s
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the waiter still sleeps at the old rate")
	}
}
