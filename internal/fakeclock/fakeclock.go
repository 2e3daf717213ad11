// Package fakeclock holds the clocks tests inject instead of the wall
// clock (ratelimit.Clock, the simulators' Now): time moves only when the
// test says so, so no test asserts on wall-clock time.
package fakeclock

import (
	"sync"
	"time"
)

// Epoch is where every fake clock starts.
func Epoch() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }

// Manual moves only on Advance; After's channels fire when it passes them.
type Manual struct {
	mu     sync.Mutex
	now    time.Time
	timers []timer
}

type timer struct {
	at time.Time
	ch chan time.Time
}

// NewManual returns a Manual clock at Epoch.
func NewManual() *Manual { return &Manual{now: Epoch()} }

// Now is the clock's time.
func (m *Manual) Now() time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.now
}

// After fires once the clock has been advanced by d.
func (m *Manual) After(d time.Duration) <-chan time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- m.now
		return ch
	}
	m.timers = append(m.timers, timer{m.now.Add(d), ch})
	return ch
}

// Timers counts the timers not yet fired.
func (m *Manual) Timers() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.timers)
}

// Advance moves the clock by d and fires the timers it passes.
func (m *Manual) Advance(d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.now = m.now.Add(d)
	kept := m.timers[:0]
	for _, t := range m.timers {
		if t.at.After(m.now) {
			kept = append(kept, t)
			continue
		}
		t.ch <- m.now
	}
	m.timers = kept
}

// Auto is a clock for one goroutine: After moves the clock by d at once,
// so a wait costs no real time and time is exactly the sum of the waits.
type Auto struct {
	mu  sync.Mutex
	now time.Time
}

// NewAuto returns an Auto clock at Epoch.
func NewAuto() *Auto { return &Auto{now: Epoch()} }

// Now is the clock's time.
func (a *Auto) Now() time.Time {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.now
}

// After advances the clock by d and fires at once.
func (a *Auto) After(d time.Duration) <-chan time.Time {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.now = a.now.Add(max(d, 0))
	ch := make(chan time.Time, 1)
	ch <- a.now
	return ch
}

// Advance moves the clock by d (the time a call itself takes).
func (a *Auto) Advance(d time.Duration) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.now = a.now.Add(d)
}
