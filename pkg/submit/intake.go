package submit

import (
	"context"
	"strings"
	"time"

	"github.com/revoke-dev/revoke/pkg/ledger"
	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/request"
)

// Event is what an identity source asks of revoke: the Okta event hook,
// the Okta and Auth0 log streams, IAM Identity Center and Cognito through
// CloudTrail, and the SCIM front door all hand their events to
// Submitter.Intake, so who is unresolved, what is recorded, which
// connections apply and what is retried are decided in one place
// (docs/design.md §1b).
type Event struct {
	Source    message.Source
	Actor     string // who delivered it: the hook's token, the stream's source, the SCIM token
	Key       string // the event's key: okta:<uuid>, auth0:<log_id>, cloudtrail:<eventID>, scim:…
	Type      string // the event's own type (eventType, log type, eventName, "user deactivated")
	EventID   string
	Directory string    // the directory a CloudTrail user was resolved in ("identitystore:<id>")
	At        time.Time // the event's time (stable across redeliveries); zero: now
	// Reason overrides the request's reason (default: source, type and
	// the people's ids).
	Reason string
	People []Person
}

// Person is someone an event names: the IdP's user id and the addresses
// the source vouches for, or why the source could not find one.
type Person struct {
	ID     string   // the IdP's user id ("?" when it has none fit for a log)
	Emails []string // candidates: only valid addresses in ALLOWED_EMAIL_DOMAINS are used
	Why    string   // set: unresolved for this reason, whatever Emails holds
}

// Intake outcomes.
const (
	Requested  = "requested"  // a new request was made
	Repeat     = "repeat"     // the key's earlier request answered
	Unresolved = "unresolved" // nobody could be acted on; each person recorded
)

// Intake is what an event did.
type Intake struct {
	Outcome    string
	RequestID  string
	Accepted   int
	Unresolved []string // ids of the people recorded unresolved
}

// Reasons a person is unresolved.
const (
	WhyNoAddress = "no address for this user"
	WhyDomain    = "the address is outside ALLOWED_EMAIL_DOMAINS"
)

// Intake makes one keyed revoke request for the usable addresses of an
// event's people, on the connections its source is configured for, and
// records every person without one as unresolved (ledger, ERROR line,
// metric). An error is transient (ledger or queue): the source retries
// the event, and nothing recorded is recorded twice. A *request.Error
// means the configuration cannot serve the event.
func (s *Submitter) Intake(ctx context.Context, ev Event) (Intake, error) {
	var res Intake
	var emails, ids []string
	for _, p := range ev.People {
		why := p.Why
		if why == "" {
			var usable []string
			for _, e := range p.Emails {
				if e = strings.TrimSpace(e); message.CheckEmail(e) == nil {
					usable = append(usable, e)
				}
			}
			allowed, refused := s.Config.AllowedEmailDomains.Split(usable)
			switch {
			case len(allowed) > 0:
				for _, e := range allowed {
					if !message.ContainsFold(emails, e) {
						emails = append(emails, e)
					}
				}
				ids = append(ids, p.ID)
				continue
			case len(refused) > 0:
				why = WhyDomain
			default:
				why = WhyNoAddress
			}
		}
		u := ledger.Unresolved{At: ev.At, Source: ev.Source, Directory: ev.Directory, UserID: p.ID, EventID: ev.EventID, Key: ev.Key, Reason: ev.Type + ": " + why}
		if err := s.Unresolved(ctx, u); err != nil {
			return res, &UnavailableError{Stage: "ledger", Err: err}
		}
		res.Unresolved = append(res.Unresolved, p.ID)
	}
	if len(emails) == 0 {
		res.Outcome = Unresolved
		return res, nil
	}
	reason := ev.Reason
	if reason == "" {
		reason = string(ev.Source) + " " + ev.Type + " " + strings.Join(ids, ",")
	}
	rcpt, err := s.Submit(ctx, Submission{
		Request: request.ForEvent(message.Revoke, emails, s.connectionsFor(ev.Source), message.Trim(reason, message.MaxReasonChars)),
		Source:  ev.Source, Actor: ev.Actor, Key: ev.Key,
	})
	if err != nil {
		return res, err
	}
	res.Outcome, res.RequestID, res.Accepted = Requested, rcpt.RequestID, rcpt.Accepted
	if rcpt.Repeat {
		res.Outcome = Repeat
	}
	return res, nil
}

// connectionsFor is the one rule for which connections an identity
// event revokes on: an Okta event on OKTA_CONNECTIONS whether it came by
// the hook or by the log stream (the first arrival makes the request, so
// both paths must agree), a SCIM change on SCIM_CONNECTIONS, every other
// event on TRIGGER_CONNECTIONS. nil is every connection.
func (s *Submitter) connectionsFor(src message.Source) []string {
	switch src {
	case message.SourceOkta:
		return s.Config.OktaConnections
	case message.SourceSCIM:
		return s.Config.SCIMConnections
	}
	return s.Config.TriggerConnections
}
