package ratelimit

import "time"

// MaxDiscovered caps a discovered rate, calls per second.
const MaxDiscovered = 1000

// Discovery's pace: slow start doubles the rate every SlowStartStep until
// the first 429; after one, the rate probes upwards by ProbeGain a second
// (FastProbeGain once QuietAfter has passed without a 429, so a cut that
// went too deep recovers within seconds).
const (
	SlowStartStep = time.Second
	ProbeGain     = 0.01
	FastProbeGain = 0.10
	QuietAfter    = 30 * time.Second
	// CutSpacing: a discovered rate is cut at most once in this span.
	CutSpacing = time.Second
)

// discovery is what a limiter without a declared rate has learned.
type discovery struct {
	found    bool        // a 429 or a header has bounded the rate
	told     bool        // the provider's headers said the rate: no probing
	lastCut  time.Time   // the last 429
	lastStep time.Time   // the last rise
	accepted []time.Time // successes within the last second, oldest first
}

// Discover makes the limiter find the provider's sustainable rate itself,
// starting at start calls per second (the provider's default share) with
// burst. What an earlier Discover learned is kept: a warm process resumes
// at the rate it found. A later Configure (a declared rate) ends it.
func (l *Limiter) Discover(start float64, burst int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.burst = max(burst, 1)
	if l.learn != nil {
		return
	}
	now := l.clock.Now()
	l.learn = &discovery{lastStep: now}
	l.ceiling = MaxDiscovered
	l.setRate(min(max(start, MinRate), MaxDiscovered))
}

// Discovering reports whether the rate is being discovered.
func (l *Limiter) Discovering() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.learn != nil
}

// prune drops the successes older than a second.
func (d *discovery) prune(now time.Time) {
	i := 0
	for i < len(d.accepted) && now.Sub(d.accepted[i]) >= time.Second {
		i++
	}
	d.accepted = d.accepted[i:]
}

// throttled is the rate after a 429: what the provider accepted in the
// last second, with headroom, never above the current rate nor below half
// of it, and at most once per CutSpacing (a burst of 429s answers calls
// made at one rate: it must not drive the rate to the floor).
func (d *discovery) throttled(now time.Time, current float64) float64 {
	d.prune(now)
	if d.found && now.Sub(d.lastCut) < CutSpacing {
		// The 429s of calls made before the last cut say nothing new:
		// cutting for each would halve a burst of them to the floor.
		return current
	}
	d.found, d.lastCut, d.lastStep = true, now, now
	return max(min(current, float64(len(d.accepted))*Headroom), current/2)
}

// succeeded is the rate after an accepted call.
func (d *discovery) succeeded(now time.Time, current float64) float64 {
	d.prune(now)
	if len(d.accepted) < 4*MaxDiscovered { // bounded: at most a second's worth
		d.accepted = append(d.accepted, now)
	}
	el := now.Sub(d.lastStep)
	if d.told || float64(len(d.accepted)) < current/2 {
		return current // said by the provider, or not being spent: no evidence to go higher
	}
	if !d.found {
		if el < SlowStartStep {
			return current
		}
		d.lastStep = now
		return min(current*2, MaxDiscovered)
	}
	if el < time.Second {
		return current
	}
	gain := ProbeGain
	if now.Sub(d.lastCut) >= QuietAfter {
		gain = FastProbeGain
	}
	d.lastStep = now
	return min(current*(1+gain*el.Seconds()), MaxDiscovered)
}

// Hint is what a provider's rate-limit headers say (rest.ParseRateHeaders).
type Hint struct {
	Limit     int           // requests allowed per Window; 0: not sent
	Window    time.Duration // the quota's window; 0: not sent
	Remaining int           // requests left in the current window
	// HasRemaining: Remaining was sent (0 is a value that matters).
	HasRemaining bool
	Reset        time.Duration // until the window resets; 0: not sent
}

// Observe applies a response's rate-limit headers. With a discovered rate,
// a quota and its window set the rate at once (with headroom); with any
// rate, no requests remaining pauses every caller until the reset.
func (l *Limiter) Observe(h Hint) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.learn != nil && h.Limit > 0 && h.Window > 0 {
		r := min(float64(h.Limit)/h.Window.Seconds()*Headroom, MaxDiscovered)
		l.learn.found, l.learn.told = true, true
		if r != l.current {
			l.setRate(r)
		}
	}
	if h.HasRemaining && h.Remaining <= 0 {
		l.pause(h.Reset)
	}
}
