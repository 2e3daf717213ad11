package rest

import (
	"encoding/json"
	"errors"
	"math"
	"time"

	"github.com/revoke-dev/revoke/pkg/ratelimit"
)

// Settings are the fields every connection secret accepts besides its
// provider's own (docs/design.md §2).
type Settings struct {
	RatePerSecond  float64 `json:"rate_per_second"`
	Burst          int     `json:"burst"`
	TimeoutSeconds float64 `json:"timeout_seconds"`
	// Verify reads an account back after a change (docs/design.md §4); absent
	// means true wherever the provider can show state.
	Verify *bool `json:"verify"`
	// OnDrift is what the drift check does with an account it sees active
	// again: "alert" (the default) or "revoke" (a new request, source
	// drift).
	OnDrift string `json:"on_drift"`
	// Orphans "revoke" lets the sweep revoke the connection's orphans by
	// itself; absent (the default), only an operator does.
	Orphans string `json:"orphans"`
}

// Values of on_drift and orphans.
const (
	OnDriftAlert  = "alert"
	OnDriftRevoke = "revoke"
	OrphansRevoke = "revoke"
)

// RevokesDrift reports whether on_drift is revoke.
func (s Settings) RevokesDrift() bool { return s.OnDrift == OnDriftRevoke }

// RevokesOrphans reports whether orphans is revoke.
func (s Settings) RevokesOrphans() bool { return s.Orphans == OrphansRevoke }

// Verifies reports whether read-back verification is on.
func (s Settings) Verifies() bool { return s.Verify == nil || *s.Verify }

// ParseSettings reads only the common settings of a connection secret.
func ParseSettings(raw []byte) (Settings, error) {
	var s Settings
	if err := json.Unmarshal(raw, &s); err != nil {
		return s, err
	}
	return s, s.Check()
}

// DefaultTimeout is the per-call timeout when timeout_seconds is absent.
const DefaultTimeout = 10 * time.Second

// Check validates the settings.
func (s Settings) Check() error {
	switch {
	case s.RatePerSecond < 0 || s.RatePerSecond > 10000 || math.IsNaN(s.RatePerSecond):
		return errors.New("rate_per_second must be between 0 and 10000")
	case s.Burst < 0 || s.Burst > 10000:
		return errors.New("burst must be between 0 and 10000")
	case s.TimeoutSeconds < 0 || s.TimeoutSeconds > 300 || math.IsNaN(s.TimeoutSeconds):
		return errors.New("timeout_seconds must be between 0 and 300")
	case s.OnDrift != "" && s.OnDrift != OnDriftAlert && s.OnDrift != OnDriftRevoke:
		return errors.New(`on_drift must be "alert" or "revoke"`)
	case s.Orphans != "" && s.Orphans != OrphansRevoke:
		return errors.New(`orphans must be "revoke" or absent`)
	}
	return nil
}

// Rate is rate_per_second, or def when unset.
func (s Settings) Rate(def float64) float64 {
	if s.RatePerSecond > 0 {
		return s.RatePerSecond
	}
	return def
}

// Timeout is the per-call timeout.
func (s Settings) Timeout() time.Duration {
	if s.TimeoutSeconds > 0 {
		return time.Duration(s.TimeoutSeconds * float64(time.Second))
	}
	return DefaultTimeout
}

// Headroom is the fraction of a provider's budget revoke spends (one
// value, ratelimit's, for declared and discovered rates).
const Headroom = ratelimit.Headroom

// Share is this process's part of the connection's budget: rate and burst
// divided by the number of consumer instances that may run at once.
func (s Settings) Share(defRate float64, instances int) (perSecond float64, burst int) {
	instances = max(instances, 1)
	perSecond = s.Rate(defRate) * Headroom / float64(instances)
	// Without a declared burst, pace calls evenly: a burst the provider's
	// bucket does not have is exactly what starts a 429 storm.
	return perSecond, max(1, s.Burst/instances)
}
