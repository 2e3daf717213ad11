package ratelimit

import (
	"context"
	"testing"
	"time"

	"github.com/revoke-dev/revoke/internal/fakeclock"
	"golang.org/x/time/rate"
)

// drive sends calls for the given span of fake time at the limiter's pace
// against a token bucket of limit per second (burst = limit), each call
// taking callTime, and reports the calls the bucket accepted and refused.
func drive(t *testing.T, l *Limiter, clk *fakeclock.Auto, bucket *rate.Limiter, span, callTime time.Duration) (ok, refused int) {
	t.Helper()
	end := clk.Now().Add(span)
	for clk.Now().Before(end) {
		if err := l.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
		clk.Advance(callTime)
		if bucket.AllowN(clk.Now(), 1) {
			ok++
			l.Succeeded()
		} else {
			refused++
			l.Throttled(0)
		}
	}
	return ok, refused
}

// TestDiscoverConverges: with no declared rate, the limiter finds a hidden
// token-bucket limit within seconds, from 429s alone, whether the limit is
// below or above its starting rate, and then spends at least 80 % of it
// with few 429s.
func TestDiscoverConverges(t *testing.T) {
	tests := []struct {
		name  string
		start float64 // the provider's default share
		limit float64 // hidden
	}{
		{"hidden 5, start 10", 10, 5},
		{"hidden 10, start 10", 10, 10},
		{"hidden 50, start 10", 10, 50},
		{"hidden 50, start 5", 5, 50},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := fakeclock.NewAuto()
			l := New(1, 1, WithClock(clk))
			l.Discover(tt.start, 1)
			bucket := rate.NewLimiter(rate.Limit(tt.limit), int(tt.limit))
			bucket.AllowN(clk.Now(), 0)
			ok1, ref1 := drive(t, l, clk, bucket, 5*time.Second, 2*time.Millisecond)
			t.Logf("first 5 s: %d accepted, %d refused, rate %.2f", ok1, ref1, l.Rate())
			ok, refused := drive(t, l, clk, bucket, 60*time.Second, 2*time.Millisecond)
			got := float64(ok) / 60
			t.Logf("next 60 s: %d accepted (%.2f/s), %d refused, rate %.2f", ok, got, refused, l.Rate())
			if got < 0.8*tt.limit {
				t.Errorf("after convergence it spent %.2f/s of a hidden %v/s", got, tt.limit)
			}
			if float64(refused) > 0.03*float64(ok+refused) {
				t.Errorf("%d of %d calls refused after convergence (> 3 %%)", refused, ok+refused)
			}
		})
	}
}

func TestDeclaredRateWins(t *testing.T) {
	l := New(1, 1, WithClock(fakeclock.NewAuto()))
	l.Discover(10, 1)
	l.Configure(20, 1)
	if l.Discovering() || l.Rate() != 20 {
		t.Fatalf("after a declared rate: discovering=%v rate=%v, want false 20", l.Discovering(), l.Rate())
	}
	l.Observe(Hint{Limit: 1000, Window: time.Second})
	if l.Rate() != 20 {
		t.Fatalf("a header moved a declared rate to %v", l.Rate())
	}
}

// TestDiscoveredRateSurvivesReconfigure: a warm process keeps what it
// learned when the connection's client is rebuilt (a new secret value).
func TestDiscoveredRateSurvivesReconfigure(t *testing.T) {
	clk := fakeclock.NewAuto()
	l := New(1, 1, WithClock(clk))
	l.Discover(10, 1)
	l.Throttled(0) // nothing accepted in the last second: halves
	learned := l.Rate()
	l.Discover(10, 1)
	if l.Rate() != learned {
		t.Fatalf("Discover again reset the learned rate %v to %v", learned, l.Rate())
	}
}

func TestObserveHeaders(t *testing.T) {
	tests := []struct {
		name      string
		hint      Hint
		wantRate  float64
		wantPause bool
	}{
		{"quota and window set the rate", Hint{Limit: 100, Window: 10 * time.Second}, 9.5, false},
		{"nothing remaining pauses until the reset", Hint{HasRemaining: true, Remaining: 0, Reset: 3 * time.Second}, 10, true},
		{"requests remaining change nothing", Hint{HasRemaining: true, Remaining: 5, Reset: 3 * time.Second}, 10, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := fakeclock.NewManual()
			l := New(1, 1, WithClock(clk))
			l.Discover(10, 1)
			l.Observe(tt.hint)
			if r := l.Rate(); r != tt.wantRate {
				t.Errorf("rate %v, want %v", r, tt.wantRate)
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			err := l.Wait(ctx) // a pause of 3 s passes the 1 s deadline at once
			if paused := err != nil; paused != tt.wantPause {
				t.Errorf("paused=%v (%v), want %v", paused, err, tt.wantPause)
			}
		})
	}
}

// TestDiscoverBurstOf429sCutsOnce: the calls in flight when a provider
// starts refusing all come back 429 at once. They answer calls made at one
// rate, so the discovered rate is cut once, not once per 429. (Before:
// eight 429s with nothing accepted in the last second halved the rate
// eight times, from 10/s to the 0.05/s floor: a call every 20 s.)
func TestDiscoverBurstOf429sCutsOnce(t *testing.T) {
	tests := []struct {
		name     string
		burst    int           // 429s at the same moment
		after    time.Duration // when one more comes
		wantRate float64
	}{
		{"one 429", 1, 0, 5},
		{"eight at once", 8, 0, 5},
		{"eight, then one within the spacing", 8, CutSpacing / 2, 5},
		{"eight, then one a spacing later", 8, CutSpacing, 2.5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := fakeclock.NewManual()
			l := New(1, 1, WithClock(clk))
			l.Discover(10, 1)
			for range tt.burst {
				l.Throttled(0)
			}
			if tt.after > 0 {
				clk.Advance(tt.after)
				l.Throttled(0)
			}
			if got := l.Rate(); got != tt.wantRate {
				t.Fatalf("rate %.3f, want %.3f", got, tt.wantRate)
			}
			want := tt.burst
			if tt.after > 0 {
				want++
			}
			if got := l.Throttles(); got != want {
				t.Fatalf("throttles %d: every 429 is still counted", got)
			}
		})
	}
}
