package ratelimit

import "time"

// Clock is the limiter's time source; tests inject one.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Option configures a Limiter.
type Option func(*Limiter)

// WithClock makes the limiter read time from c.
func WithClock(c Clock) Option { return func(l *Limiter) { l.clock = c } }
