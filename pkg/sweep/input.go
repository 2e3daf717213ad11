package sweep

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode"
)

// Defaults of a re-drive.
const (
	DefaultMaxMessages   = 500
	DefaultMinAgeSeconds = 900
	DefaultMaxRedrives   = 3
	maxMessagesLimit     = 100_000
	maxWhereLen          = 1024
	maxInactiveEntries   = 100
)

// Input is the rule's constant JSON Input.
type Input struct {
	DryRun   bool       `json:"dry_run"`
	Redrive  *Redrive   `json:"redrive"`
	Inactive []Inactive `json:"inactive"`
	// BackstopOnly runs the unqueued backstop and nothing else: the
	// always-on 5-minute rule (docs/design.md §5). It takes no other field.
	BackstopOnly bool `json:"backstop_only"`
	// Drift queues a re-read of every account revoke revoked in the last
	// days (drift.go).
	Drift *Drift `json:"drift"`
	// Orphans lists each listable connection against the directory
	// (orphans.go).
	Orphans *Orphans `json:"orphans"`
}

// Defaults of the drift check and the orphan listing.
const (
	DefaultDriftDays        = 90
	DefaultOrphanEveryHours = 24
)

// Drift is the drift check: days back (default 90).
type Drift struct {
	Days int `json:"days"`
}

// Orphans is the orphan listing: a new listing of a connection starts
// every_hours after the last one started (default 24); runs in between
// continue a listing or compare a finished one.
type Orphans struct {
	EveryHours int `json:"every_hours"`
	// Connections limits the listing to these connections (default: every
	// connection that can list).
	Connections []string `json:"connections"`
}

// Redrive bounds a re-drive. Absent fields take the defaults; max_messages
// 0 turns re-drive off.
type Redrive struct {
	MaxMessages   *int `json:"max_messages"`
	MinAgeSeconds *int `json:"min_age_seconds"`
	MaxRedrives   *int `json:"max_redrives"`
}

// Inactive is one inactive-account sweep: days, or a provider filter.
type Inactive struct {
	Connection string `json:"connection"`
	Days       int    `json:"days"`
	Where      string `json:"where"`
}

// ParseInput reads the event. A plain EventBridge "Scheduled Event" (no
// Input configured) means: re-drive only, with defaults.
func ParseInput(raw []byte) (*Input, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return &Input{}, nil
	}
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(raw, &probe); err != nil {
		return nil, errors.New("sweep: input is not a JSON object")
	}
	if _, scheduled := probe["detail-type"]; scheduled {
		return &Input{}, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var in Input
	if err := dec.Decode(&in); err != nil {
		return nil, fmt.Errorf("sweep: input: %w", err)
	}
	return &in, in.check()
}

func (in *Input) check() error {
	if in.BackstopOnly && (in.DryRun || in.Redrive != nil || in.Inactive != nil || in.Drift != nil || in.Orphans != nil) {
		return errors.New("sweep: backstop_only takes no other field")
	}
	if r := in.Redrive; r != nil {
		for name, v := range map[string]*int{"max_messages": r.MaxMessages, "min_age_seconds": r.MinAgeSeconds, "max_redrives": r.MaxRedrives} {
			if v != nil && (*v < 0 || *v > maxMessagesLimit*100) {
				return fmt.Errorf("sweep: redrive.%s: out of range", name)
			}
		}
		if r.MaxMessages != nil && *r.MaxMessages > maxMessagesLimit {
			return fmt.Errorf("sweep: redrive.max_messages: at most %d", maxMessagesLimit)
		}
	}
	if d := in.Drift; d != nil && (d.Days < 0 || d.Days > 3650) {
		return errors.New("sweep: drift.days: 1 to 3650 (0: the default, 90)")
	}
	if o := in.Orphans; o != nil && (o.EveryHours < 0 || o.EveryHours > 24*366) {
		return errors.New("sweep: orphans.every_hours: 1 to 8784 (0: the default, 24)")
	}
	if o := in.Orphans; o != nil && len(o.Connections) > maxInactiveEntries {
		return fmt.Errorf("sweep: orphans.connections: at most %d", maxInactiveEntries)
	}
	if len(in.Inactive) > maxInactiveEntries {
		return fmt.Errorf("sweep: inactive: at most %d entries", maxInactiveEntries)
	}
	for i, e := range in.Inactive {
		switch {
		case e.Connection == "":
			return fmt.Errorf("sweep: inactive[%d].connection is required", i)
		case (e.Days == 0) == (e.Where == ""):
			return fmt.Errorf("sweep: inactive[%d]: give exactly one of days and where", i)
		case e.Days < 0 || e.Days > 3650:
			return fmt.Errorf("sweep: inactive[%d].days: 1 to 3650", i)
		case len(e.Where) > maxWhereLen || strings.IndexFunc(e.Where, unicode.IsControl) >= 0:
			return fmt.Errorf("sweep: inactive[%d].where: at most %d characters, no control characters", i, maxWhereLen)
		}
	}
	return nil
}

// limits returns the re-drive bounds with defaults applied.
func (in *Input) limits() (maxMessages, minAgeSeconds, maxRedrives int) {
	maxMessages, minAgeSeconds, maxRedrives = DefaultMaxMessages, DefaultMinAgeSeconds, DefaultMaxRedrives
	if r := in.Redrive; r != nil {
		if r.MaxMessages != nil {
			maxMessages = *r.MaxMessages
		}
		if r.MinAgeSeconds != nil {
			minAgeSeconds = *r.MinAgeSeconds
		}
		if r.MaxRedrives != nil {
			maxRedrives = *r.MaxRedrives
		}
	}
	return
}
