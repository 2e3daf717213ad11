package okta

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/submit"
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

// Event is one System Log event (LogEvent): delivered in data.events[] by
// an event hook, or as the detail of an EventBridge log stream event.
type Event struct {
	UUID      string   `json:"uuid"`
	EventType string   `json:"eventType"`
	Outcome   *Outcome `json:"outcome"`
	Target    []Target `json:"target"`
}

// Outcome is an event's outcome.
type Outcome struct {
	Result string `json:"result"`
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
			Events *[]json.RawMessage `json:"events"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, errors.New("body is not a JSON object with data.events")
	}
	if raw.Data == nil || raw.Data.Events == nil {
		return nil, errors.New("data.events must be an array")
	}
	if len(*raw.Data.Events) > MaxEvents {
		return nil, fmt.Errorf("data.events: more than %d events", MaxEvents)
	}
	d := &Delivery{EventType: raw.EventType}
	for i, r := range *raw.Data.Events {
		e, err := ParseEvent(r)
		if err != nil {
			return nil, fmt.Errorf("data.events[%d]: %v", i, err)
		}
		d.Data.Events = append(d.Data.Events, *e)
	}
	return d, nil
}

// ParseEvent reads one System Log event.
func ParseEvent(raw []byte) (*Event, error) {
	var e Event
	if err := json.Unmarshal(raw, &e); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return nil, fmt.Errorf("%s has the wrong type", te.Field)
		}
		return nil, errors.New("not a System Log event object")
	}
	if len(e.Target) > MaxTargetsPerEvent {
		return nil, fmt.Errorf("target: more than %d targets", MaxTargetsPerEvent)
	}
	return &e, nil
}

// Plan is what one event asks of revoke.
type Plan struct {
	Relevant bool   // a configured type whose outcome is SUCCESS
	Key      string // "okta:<uuid>": the same whether by hook or by stream
	EventID  string // the uuid, when it is fit for a key and a log
	// People are the User targets (never the actor), by id, with their
	// alternateId as the address; submit.Intake decides who is usable.
	People []submit.Person
}

// Plan decides an event: only a configured type with outcome SUCCESS, and
// only its User targets, by alternateId as email.
func (e *Event) Plan(types []string) Plan {
	p := Plan{Relevant: slices.Contains(types, e.EventType) && e.Outcome != nil && e.Outcome.Result == "SUCCESS"}
	if !p.Relevant {
		return p
	}
	if e.UUID != "" && len(e.UUID) <= 128 && message.CheckText(e.UUID) == nil {
		p.Key, p.EventID = "okta:"+e.UUID, e.UUID
	}
	for _, t := range e.Target {
		if strings.EqualFold(t.Type, "User") {
			p.People = append(p.People, submit.Person{ID: safe(t.ID), Emails: []string{strings.TrimSpace(t.AlternateID)}})
		}
	}
	return p
}

// safe keeps an id only if it may reach a log as it is.
func safe(id string) string {
	if len(id) > 64 || message.CheckText(id) != nil {
		return "?"
	}
	return id
}
