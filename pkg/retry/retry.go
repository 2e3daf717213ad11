package retry

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"
)

// Policy bounds attempts and waits.
type Policy struct {
	Attempts int           // total tries, including the first (at least 1)
	Base     time.Duration // first back-off ceiling
	Max      time.Duration // largest back-off
	Min      time.Duration // smallest back-off (e.g. 1 s for JourneyApps)
}

// IsRetryable reports whether err says it is worth another try. A cancelled
// or expired context is never retryable here.
func IsRetryable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	var r interface{ Retryable() bool }
	return errors.As(err, &r) && r.Retryable()
}

// After returns the wait an error asks for (zero if none).
func After(err error) time.Duration {
	var r interface{ RetryAfter() time.Duration }
	if errors.As(err, &r) {
		return r.RetryAfter()
	}
	return 0
}

// Backoff is the jittered wait before retry number n (n ≥ 1).
func (p Policy) Backoff(n int) time.Duration {
	ceil := p.Base
	for i := 1; i < n && ceil < p.Max; i++ {
		ceil *= 2
	}
	if p.Max > 0 && ceil > p.Max {
		ceil = p.Max
	}
	if ceil < p.Min {
		ceil = p.Min
	}
	d := p.Min
	if ceil > p.Min {
		d += rand.N(ceil - p.Min + 1)
	}
	return d
}

// Wait is the back-off before retry n after err: the server's Retry-After
// when it gave one (but not less than Min), else Backoff(n).
func (p Policy) Wait(n int, err error) time.Duration {
	if ra := After(err); ra > 0 {
		return max(ra, p.Min)
	}
	return p.Backoff(n)
}

// Sleep waits d, or returns false at once if the context would end first.
func Sleep(ctx context.Context, d time.Duration) bool {
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) <= d {
		return false
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// Do calls fn until it succeeds, returns a non-retryable error, runs out of
// attempts, or the next wait would pass the context's deadline. It returns
// fn's last error and the number of attempts made.
func Do(ctx context.Context, p Policy, fn func(ctx context.Context, attempt int) error) (int, error) {
	attempts := max(p.Attempts, 1)
	var err error
	for n := 1; ; n++ {
		if err = fn(ctx, n); err == nil || n >= attempts || !IsRetryable(err) {
			return n, err
		}
		if ctx.Err() != nil || !Sleep(ctx, p.Wait(n, err)) {
			return n, err
		}
	}
}
