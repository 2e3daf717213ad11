package ratelimit

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/revoke-dev/revoke/internal/fakeclock"
)

// waitFor polls (without sleeping on the fake clock) until cond holds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for range 5000 {
		if cond() {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

// TestReadyChangeBeforeReadyRead: calls queued in any order get the budget
// change first, then proof, then background; within one priority, first
// come first served.
func TestReadyChangeBeforeReadyRead(t *testing.T) {
	tests := []struct {
		name    string
		arrival []Priority // queued in this order while the bucket is empty
		want    []Priority // served in this order
	}{
		{"a change queued after a read goes first", []Priority{Proof, Change}, []Priority{Change, Proof}},
		{"a proof goes before a background read", []Priority{Background, Proof}, []Priority{Proof, Background}},
		{"all three, worst order", []Priority{Background, Proof, Proof, Change}, []Priority{Change, Proof, Proof, Background}},
		{"same priority keeps arrival order", []Priority{Change, Change}, []Priority{Change, Change}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := fakeclock.NewManual()
			l := New(1, 1, WithClock(clk))
			if err := l.Wait(context.Background()); err != nil { // empty the bucket
				t.Fatal(err)
			}
			var mu sync.Mutex
			var served []Priority
			var wg sync.WaitGroup
			for i, p := range tt.arrival {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if err := l.Wait(WithPriority(context.Background(), p)); err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					served = append(served, p)
					mu.Unlock()
				}()
				waitFor(t, "the waiter to queue", func() bool {
					n := l.Waiting()
					return n[0]+n[1]+n[2] == i+1
				})
			}
			for i := range tt.want {
				waitFor(t, "a timer", func() bool { return clk.Timers() > 0 })
				clk.Advance(time.Second)
				waitFor(t, "a call to be served", func() bool {
					mu.Lock()
					defer mu.Unlock()
					return len(served) == i+1
				})
			}
			wg.Wait()
			for i := range tt.want {
				if served[i] != tt.want[i] {
					t.Fatalf("served %v, want %v", served, tt.want)
				}
			}
		})
	}
}

func TestPriorityOf(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		ctx  context.Context
		want Priority
	}{
		{"unmarked is a change", ctx, Change},
		{"proof", WithPriority(ctx, Proof), Proof},
		{"out of range is background", WithPriority(ctx, Priority(42)), Background},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := PriorityOf(tt.ctx); got != tt.want {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCancelledWaiterLeavesTheQueue(t *testing.T) {
	clk := fakeclock.NewManual()
	l := New(1, 1, WithClock(clk))
	_ = l.Wait(context.Background())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- l.Wait(ctx) }()
	waitFor(t, "the waiter to queue", func() bool { return l.Waiting()[Change] == 1 })
	cancel()
	if err := <-done; err == nil {
		t.Fatal("a cancelled wait returned nil")
	}
	if n := l.Waiting(); n[Change] != 0 {
		t.Fatalf("the cancelled waiter is still queued: %v", n)
	}
}
