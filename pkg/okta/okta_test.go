package okta

import (
	"strings"
	"testing"

	"github.com/revoke-dev/revoke/pkg/message"
)

var types = []string{"user.lifecycle.deactivate", "user.lifecycle.suspend"}

func TestPlan(t *testing.T) {
	d, err := Parse([]byte(`{"data":{"events":[
	  {"uuid":"1","eventType":"user.lifecycle.deactivate","outcome":{"result":"SUCCESS"},"actor":{"id":"adm","type":"User","alternateId":"admin@example.com"},
	   "target":[{"id":"a","type":"User","alternateId":"a@example.com"},{"id":"g","type":"Group","alternateId":"x@example.com"},{"id":"a2","type":"User","alternateId":" A@example.com"}]},
	  {"uuid":"2","eventType":"user.lifecycle.suspend","outcome":{"result":"SUCCESS"},"target":[{"id":"b","type":"User","alternateId":"not-an-email"}]},
	  {"uuid":"3","eventType":"user.lifecycle.deactivate","outcome":{"result":"FAILURE"},"target":[{"id":"c","type":"User","alternateId":"c@example.com"}]},
	  {"uuid":"4","eventType":"user.lifecycle.deactivate","target":[{"id":"c","type":"User","alternateId":"c@example.com"}]},
	  {"uuid":"5","eventType":"user.session.start","outcome":{"result":"SUCCESS"},"target":[{"id":"c","type":"User","alternateId":"c@example.com"}]}]}}`))
	if err != nil {
		t.Fatal(err)
	}
	p := d.Data.Events[0].Plan(types)
	if !p.Relevant || p.Key != "okta:1" || p.EventID != "1" || people(p) != "a=a@example.com a2=A@example.com" {
		t.Fatalf("%+v", p)
	}
	if p := d.Data.Events[1].Plan(types); !p.Relevant || people(p) != "b=not-an-email" {
		t.Fatalf("%+v", p)
	}
	for i := 2; i < 5; i++ {
		if p := d.Data.Events[i].Plan(types); p.Relevant {
			t.Errorf("event %d (failed, no outcome, other type) is relevant: %+v", i, p)
		}
	}
}

// people renders a plan's people as "id=email …".
func people(p Plan) string {
	var out []string
	for _, u := range p.People {
		out = append(out, u.ID+"="+strings.Join(u.Emails, ","))
	}
	return strings.Join(out, " ")
}

func TestParseRejects(t *testing.T) {
	for _, b := range []string{``, `[]`, `{}`, `{"data":null}`, `{"data":{"events":null}}`, `{"data":{"events":"x"}}`, `{"data":{"events":[1]}}`,
		`{"data":{"events":[{"target":[{"alternateId":5}]}]}}`, `{"data":{"events":[{"target":{"id":"x"}}]}}`} {
		if _, err := Parse([]byte(b)); err == nil {
			t.Errorf("%s accepted", b)
		}
	}
	many := `{"data":{"events":[` + strings.Repeat(`{},`, MaxEvents) + `{}]}}`
	if _, err := Parse([]byte(many)); err == nil {
		t.Error("too many events accepted")
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"data":{"events":[{"uuid":"1","eventType":"user.lifecycle.deactivate","outcome":{"result":"SUCCESS"},"target":[{"type":"User","alternateId":"a@example.com"}]}]}}`))
	f.Add([]byte(`{"data":{"events":[]}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := Parse(b)
		if err != nil {
			return
		}
		for _, e := range d.Data.Events {
			p := e.Plan([]string{"user.lifecycle.deactivate"})
			if !p.Relevant && (len(p.People) > 0 || p.Key != "") {
				t.Fatal("an irrelevant event asks for something")
			}
			for _, u := range p.People {
				if message.CheckText(u.ID) != nil {
					t.Fatalf("unsafe id %q", u.ID)
				}
			}
		}
	})
}

// One rule for the event id, whether the hook or the stream delivered it
// (before: the hook kept 128 bytes, the trigger 256): unfit, no key and no
// id.
func TestPlanEventID(t *testing.T) {
	for _, uuid := range []string{strings.Repeat("u", 129), "a\u202eb"} {
		e := Event{UUID: uuid, EventType: types[0], Outcome: &Outcome{Result: "SUCCESS"}}
		if p := e.Plan(types); p.Key != "" || p.EventID != "" {
			t.Errorf("uuid %q: key %q, id %q", uuid, p.Key, p.EventID)
		}
	}
}
