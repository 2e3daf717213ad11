package ratelimit

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limiter is safe for concurrent use.
type Limiter struct {
	mu          sync.Mutex
	lim         *rate.Limiter
	ceiling     float64 // configured rate, calls per second
	current     float64
	pausedUntil time.Time
	throttles   int
}

// New returns a limiter allowing perSecond calls per second with burst.
func New(perSecond float64, burst int) *Limiter {
	l := &Limiter{}
	l.Configure(perSecond, burst)
	return l
}

// Configure sets the ceiling rate and burst, keeping any slow-down in force
// when the ceiling is unchanged.
func (l *Limiter) Configure(perSecond float64, burst int) {
	perSecond = max(perSecond, 0.01)
	burst = max(burst, 1)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.lim == nil {
		l.lim = rate.NewLimiter(rate.Limit(perSecond), burst)
		l.ceiling, l.current = perSecond, perSecond
		return
	}
	if l.ceiling != perSecond {
		// Keep the fraction of the old ceiling a slow-down left in force.
		l.current = perSecond * min(l.current/l.ceiling, 1)
		l.ceiling = perSecond
		l.lim.SetLimit(rate.Limit(l.current))
	}
	if l.lim.Burst() != burst {
		l.lim.SetBurst(burst)
	}
}

// Wait blocks until a call may start, or returns the context's error (at
// once if the wait would pass the context's deadline).
func (l *Limiter) Wait(ctx context.Context) error {
	l.mu.Lock()
	pause := time.Until(l.pausedUntil)
	lim := l.lim
	l.mu.Unlock()
	if pause > 0 {
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < pause {
			return context.DeadlineExceeded
		}
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
	return lim.Wait(ctx)
}

// Throttled records a 429: halve the rate (not below 1/16 of the ceiling)
// and, when the server said how long, pause every caller that long.
func (l *Limiter) Throttled(retryAfter time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.throttles++
	l.current = max(l.current/2, l.ceiling/16)
	l.lim.SetLimit(rate.Limit(l.current))
	if retryAfter > 0 {
		if until := time.Now().Add(retryAfter); until.After(l.pausedUntil) {
			l.pausedUntil = until
		}
	}
}

// Succeeded records a successful call: raise the rate by a tenth of the
// ceiling, up to the ceiling.
func (l *Limiter) Succeeded() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.current < l.ceiling {
		l.current = min(l.current+l.ceiling/10, l.ceiling)
		l.lim.SetLimit(rate.Limit(l.current))
	}
}

// Rate is the current rate in calls per second.
func (l *Limiter) Rate() float64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.current
}

// Throttles counts the 429s recorded.
func (l *Limiter) Throttles() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.throttles
}
