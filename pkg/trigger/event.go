package trigger

import (
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/revoke-dev/revoke/pkg/directory"
	"github.com/revoke-dev/revoke/pkg/message"
)

// MaxDetailBytes bounds an event's detail (EventBridge's own limit is 256 KB).
const MaxDetailBytes = 256 << 10

// Event is what one EventBridge event asks of revoke.
type Event struct {
	Source  message.Source
	Key     string   // dedupe key: okta:<uuid>, auth0:<log_id>, cloudtrail:<eventID>
	Type    string   // the event's own type (eventType, log type, eventName)
	Emails  []string // people named by address (Okta, Auth0)
	Dir     *directory.Source
	UserID  string // a directory user to resolve (Identity Center user id, Cognito sub)
	EventID string
	At      time.Time // the event's time (stable across redeliveries)
	// Unresolved are ids of people the event names without an address
	// (an Okta User target, an Auth0 user): recorded, never retried.
	Unresolved []string
}

// Ignored is why an event needs nothing (irrelevant or unusable): the
// handler logs it and succeeds.
type Ignored struct{ Why string }

func (e *Ignored) Error() string { return "ignored: " + e.Why }

func ignore(why string) error { return &Ignored{Why: why} }

// Options are what the parsers need from the configuration.
type Options struct {
	OktaEventTypes []string
	Auth0LogTypes  []string
	Directories    []directory.Source
}

// Parse reads an EventBridge event. An *Ignored error means nothing is to
// be done.
func Parse(ev events.EventBridgeEvent, o Options) (*Event, error) {
	if len(ev.Detail) == 0 || len(ev.Detail) > MaxDetailBytes {
		return nil, ignore("no detail, or a detail over 256 KiB")
	}
	e, err := parse(ev, o)
	if e != nil {
		e.At = ev.Time
	}
	return e, err
}

func parse(ev events.EventBridgeEvent, o Options) (*Event, error) {
	switch {
	case strings.HasPrefix(ev.Source, "aws.partner/okta.com/") && ev.DetailType == "SystemLog":
		return parseOkta(ev.Detail, o)
	case strings.HasPrefix(ev.Source, "aws.partner/auth0.com/") && ev.DetailType == "Auth0 log":
		return parseAuth0(ev.Detail, o)
	case ev.DetailType == "AWS API Call via CloudTrail":
		return parseCloudTrail(ev.Detail, o)
	}
	return nil, ignore("not an identity event revoke follows (source " + message.Trim(ev.Source, 128) + ", detail-type " + message.Trim(ev.DetailType, 64) + ")")
}

// text reads a string field of a JSON object, "" if absent or not a string.
func text(o map[string]json.RawMessage, k string) string {
	var s string
	if json.Unmarshal(o[k], &s) != nil {
		return ""
	}
	return s
}

// object reads a JSON object, or an error naming what it is.
func object(raw json.RawMessage, what string) (map[string]json.RawMessage, error) {
	var o map[string]json.RawMessage
	if err := json.Unmarshal(raw, &o); err != nil || o == nil {
		return nil, errors.New(what + " is not a JSON object")
	}
	return o, nil
}

// safeID keeps an identifier fit for a key and a log line.
func safeID(s string) (string, bool) {
	if s == "" || len(s) > 256 || message.CheckText(s) != nil {
		return "", false
	}
	return s, true
}
