package trigger

import (
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/revoke-dev/revoke/pkg/directory"
	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/submit"
)

// MaxDetailBytes bounds an event's detail (EventBridge's own limit is 256 KB).
const MaxDetailBytes = 256 << 10

// Event is what one EventBridge event asks of revoke.
type Event struct {
	Source  message.Source
	Key     string // dedupe key: okta:<uuid>, auth0:<log_id>, cloudtrail:<eventID>
	Type    string // the event's own type (eventType, log type, eventName)
	EventID string
	At      time.Time // the event's time (stable across redeliveries)
	// People the event names with their addresses (Okta, Auth0), or why
	// there is none revoke may use; a CloudTrail event's one person is
	// resolved in the directory (Dir, UserID) by the handler.
	People []submit.Person
	Dir    *directory.Source
	UserID string // a directory user to resolve (Identity Center user id, Cognito sub)
}

// whyUnverified is why a person whose only address the directory does
// not vouch for is unresolved.
const whyUnverified = "the directory does not mark the address verified"

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
	// Account is this AWS account's id: a CloudTrail event of another
	// account is ignored. Empty (outside Lambda) skips the check.
	Account string
	// OktaSource and Auth0Source are the configured partner event sources
	// (a partner bus is named after its source): an Okta or Auth0 event
	// from any other source is ignored. Empty accepts any source of the
	// partner's prefix (no bus configured, or outside Lambda).
	OktaSource, Auth0Source string
}

// Partner event source prefixes (EventBridge forbids PutEvents with an
// "aws." source, so only the partner integration can send them).
const (
	oktaSourcePrefix  = "aws.partner/okta.com/"
	auth0SourcePrefix = "aws.partner/auth0.com/"
)

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
	case strings.HasPrefix(ev.Source, oktaSourcePrefix) && ev.DetailType == "SystemLog":
		if o.OktaSource != "" && ev.Source != o.OktaSource {
			return nil, ignore("okta: not the configured partner event source (" + message.Trim(ev.Source, 128) + ")")
		}
		return parseOkta(ev.Detail, o)
	case strings.HasPrefix(ev.Source, auth0SourcePrefix) && ev.DetailType == "Auth0 log":
		if o.Auth0Source != "" && ev.Source != o.Auth0Source {
			return nil, ignore("auth0: not the configured partner event source (" + message.Trim(ev.Source, 128) + ")")
		}
		return parseAuth0(ev.Detail, o)
	case strings.HasPrefix(ev.Source, "aws.") && !strings.HasPrefix(ev.Source, "aws.partner/") && ev.DetailType == "AWS API Call via CloudTrail":
		if o.Account != "" && ev.AccountID != o.Account {
			return nil, ignore("cloudtrail: an event of another account (" + message.Trim(ev.AccountID, 16) + ")")
		}
		return parseCloudTrail(ev.Source, ev.Detail, o)
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
