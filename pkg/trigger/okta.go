package trigger

import (
	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/okta"
)

// parseOkta reads an Okta log stream event: detail is one System Log event
// (not wrapped in data.events). The same plan as the event hook decides,
// with the same key, so an event arriving both ways is one request.
func parseOkta(detail []byte, o Options) (*Event, error) {
	e, err := okta.ParseEvent(detail)
	if err != nil {
		return nil, ignore("okta: " + err.Error())
	}
	p := e.Plan(o.OktaEventTypes)
	switch {
	case !p.Relevant:
		return nil, ignore("okta: event type not followed or outcome not SUCCESS")
	case p.Key == "":
		return nil, ignore("okta: event without a uuid")
	case len(p.People) == 0:
		return nil, ignore("okta: no User target")
	}
	return &Event{Source: message.SourceOkta, Key: p.Key, Type: e.EventType, EventID: p.EventID, People: p.People}, nil
}
