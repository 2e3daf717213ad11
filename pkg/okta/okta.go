package okta

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/revoke-dev/revoke/pkg/message"
)

// Bounds on one delivery.
const (
	MaxEvents          = 1000
	MaxTargetsPerEvent = 100
)

// Delivery is the part of an event hook body revoke reads.
type Delivery struct {
	EventType string `json:"eventType"`
	Data      struct {
		Events []Event `json:"events"`
	} `json:"data"`
}

// Event is one LogEvent.
type Event struct {
	UUID      string   `json:"uuid"`
	EventType string   `json:"eventType"`
	Target    []Target `json:"target"`
}

// Target is one of an event's targets.
type Target struct {
	ID          string `json:"id"`
	Type        string `json:"type"`
	AlternateID string `json:"alternateId"`
	DisplayName string `json:"displayName"`
}

// Parse reads a delivery. Okta adds fields over time, so unknown fields are
// ignored; but the body must be one JSON object with a data.events array.
func Parse(body []byte) (*Delivery, error) {
	var raw struct {
		EventType string `json:"eventType"`
		Data      *struct {
			Events *[]Event `json:"events"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && strings.HasPrefix(te.Field, "data.events") {
			return nil, fmt.Errorf("%s has the wrong type", te.Field)
		}
		return nil, errors.New("body is not a JSON object with data.events")
	}
	if raw.Data == nil || raw.Data.Events == nil {
		return nil, errors.New("data.events must be an array")
	}
	d := &Delivery{EventType: raw.EventType}
	d.Data.Events = *raw.Data.Events
	if len(d.Data.Events) > MaxEvents {
		return nil, fmt.Errorf("data.events: more than %d events", MaxEvents)
	}
	for i, e := range d.Data.Events {
		if len(e.Target) > MaxTargetsPerEvent {
			return nil, fmt.Errorf("data.events[%d].target: more than %d targets", i, MaxTargetsPerEvent)
		}
	}
	return d, nil
}

// Selection is what a delivery asks for.
type Selection struct {
	Emails  []string // distinct, in order of appearance
	Events  int      // events of a configured type
	Ignored int      // events of other types
	Skipped []string // User targets whose alternateId is not a usable email
}

// Select picks the users to revoke from events whose type is in types.
func (d *Delivery) Select(types []string) Selection {
	var s Selection
	seen := map[string]bool{}
	for _, e := range d.Data.Events {
		if !slices.Contains(types, e.EventType) {
			s.Ignored++
			continue
		}
		s.Events++
		for _, t := range e.Target {
			if !strings.EqualFold(t.Type, "User") {
				continue
			}
			email := strings.TrimSpace(t.AlternateID)
			if message.CheckEmail(email) != nil {
				s.Skipped = append(s.Skipped, t.ID)
				continue
			}
			if !seen[email] {
				seen[email] = true
				s.Emails = append(s.Emails, email)
			}
		}
	}
	return s
}
