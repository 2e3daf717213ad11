package ratelimit

import (
	"context"
	"sync"
	"time"
)

// Headroom is the fraction of a provider's budget revoke spends: network
// jitter bunches requests at the provider, so running exactly at its rate
// would trip its limiter now and then.
const Headroom = 0.95

// MinRate is the lowest rate a limiter falls to, calls per second.
const MinRate = 0.05

// Limiter is one connection's budget. Safe for concurrent use.
type Limiter struct {
	mu          sync.Mutex
	clock       Clock
	current     float64 // calls per second now
	ceiling     float64 // declared: the configured share; discovering: MaxDiscovered
	burst       int
	tokens      float64
	last        time.Time // when tokens was last refilled
	pausedUntil time.Time
	throttles   int
	queue       [numPriorities][]*waiter
	wake        chan struct{} // closed (and replaced) when the queue's head changes
	learn       *discovery    // nil: the rate is declared
}

// waiter is one caller in a queue (not zero-sized: each needs its own address).
type waiter struct{ p Priority }

// New returns a limiter allowing perSecond calls per second with burst (a
// declared rate).
func New(perSecond float64, burst int, opts ...Option) *Limiter {
	l := &Limiter{clock: realClock{}, wake: make(chan struct{})}
	for _, o := range opts {
		o(l)
	}
	l.last = l.clock.Now()
	l.Configure(perSecond, burst)
	l.tokens = float64(l.burst)
	return l
}

// Configure declares the ceiling rate and burst, keeping any slow-down in
// force when the ceiling is unchanged. It ends discovery: a declared rate
// wins.
func (l *Limiter) Configure(perSecond float64, burst int) {
	perSecond = max(perSecond, MinRate)
	burst = max(burst, 1)
	l.mu.Lock()
	defer l.mu.Unlock()
	r := l.current
	switch {
	case l.ceiling == 0 || l.learn != nil:
		r = perSecond
	case l.ceiling != perSecond:
		// Keep the fraction of the old ceiling a slow-down left in force.
		r = perSecond * min(l.current/l.ceiling, 1)
	}
	l.ceiling, l.burst, l.learn = perSecond, burst, nil
	if r != l.current {
		l.setRate(r) // the tokens earned so far at the old rate; wakes the waiters
	}
}

// Wait blocks until a call of ctx's priority (PriorityOf) may start: the
// bucket holds a token, no pause is in force, and no call of a higher
// priority, or of the same priority but earlier, is waiting. It returns
// the context's error, at once if the wait would pass the context's
// deadline.
func (l *Limiter) Wait(ctx context.Context) error {
	p := PriorityOf(ctx)
	w := &waiter{p: p}
	l.mu.Lock()
	l.queue[p] = append(l.queue[p], w)
	for {
		var timer <-chan time.Time
		if l.head() == w {
			now := l.clock.Now()
			l.refill(now)
			d := l.pausedUntil.Sub(now)
			if d <= 0 {
				if l.tokens >= 1 {
					l.tokens--
					l.remove(p, w)
					l.mu.Unlock()
					return nil
				}
				d = time.Duration((1 - l.tokens) / l.current * float64(time.Second))
			}
			if dl, ok := ctx.Deadline(); ok && time.Until(dl) < d {
				l.remove(p, w)
				l.mu.Unlock()
				return context.DeadlineExceeded
			}
			timer = l.clock.After(max(d, time.Millisecond))
		}
		wake := l.wake
		l.mu.Unlock()
		select {
		case <-ctx.Done():
			l.mu.Lock()
			l.remove(p, w)
			l.mu.Unlock()
			return ctx.Err()
		case <-timer:
		case <-wake:
		}
		l.mu.Lock()
	}
}

// head is the waiter that gets the next token; the caller holds mu.
func (l *Limiter) head() *waiter {
	for _, q := range l.queue {
		if len(q) > 0 {
			return q[0]
		}
	}
	return nil
}

// remove takes w out of its queue and wakes the others if the head
// changed; the caller holds mu.
func (l *Limiter) remove(p Priority, w *waiter) {
	was := l.head()
	q := l.queue[p]
	for i, x := range q {
		if x == w {
			l.queue[p] = append(q[:i:i], q[i+1:]...)
			break
		}
	}
	if l.head() != was {
		l.broadcast()
	}
}

// broadcast wakes every waiter to look again; the caller holds mu.
func (l *Limiter) broadcast() {
	close(l.wake)
	l.wake = make(chan struct{})
}

// refill adds the tokens earned since the last refill; the caller holds mu.
func (l *Limiter) refill(now time.Time) {
	if el := now.Sub(l.last); el > 0 {
		l.tokens = min(float64(l.burst), l.tokens+el.Seconds()*l.current)
		l.last = now
	}
}

// setRate changes the rate from now on; the caller holds mu.
func (l *Limiter) setRate(r float64) {
	l.refill(l.clock.Now())
	l.current = max(r, MinRate)
	l.broadcast()
}

// pause holds every caller until now+d; the caller holds mu.
func (l *Limiter) pause(d time.Duration) {
	if d <= 0 {
		return
	}
	if until := l.clock.Now().Add(d); until.After(l.pausedUntil) {
		l.pausedUntil = until
		l.broadcast()
	}
}

// Throttled records a 429 (or a Backendless 999). A declared rate halves
// (not below 1/16 of the ceiling); a discovered one falls to what the
// provider accepted in the last second. When the server said how long,
// every caller pauses that long.
func (l *Limiter) Throttled(retryAfter time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.throttles++
	if l.learn != nil {
		l.setRate(l.learn.throttled(l.clock.Now(), l.current))
	} else {
		l.setRate(max(l.current/2, l.ceiling/16))
	}
	l.pause(retryAfter)
}

// Succeeded records a call the provider accepted: a declared rate rises by
// a tenth of its ceiling, up to the ceiling; a discovered one probes
// upwards (see Discover).
func (l *Limiter) Succeeded() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.learn != nil {
		if r := l.learn.succeeded(l.clock.Now(), l.current); r != l.current {
			l.setRate(r)
		}
		return
	}
	if l.current < l.ceiling {
		l.setRate(min(l.current+l.ceiling/10, l.ceiling))
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

// Waiting counts the callers waiting, by priority.
func (l *Limiter) Waiting() [numPriorities]int {
	l.mu.Lock()
	defer l.mu.Unlock()
	var n [numPriorities]int
	for p, q := range l.queue {
		n[p] = len(q)
	}
	return n
}
