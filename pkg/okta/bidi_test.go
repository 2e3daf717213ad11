package okta

import "testing"

// The Okta front door (hook and stream share Plan) hands every User
// target to the one intake by id, whatever its alternateId: an address
// with a Unicode bidirectional control is refused there
// (submit.TestIntake), never here by omission.
func TestPlanKeepsEveryPersonByID(t *testing.T) {
	d, err := Parse([]byte(`{"data":{"events":[{"uuid":"1","eventType":"user.lifecycle.deactivate","outcome":{"result":"SUCCESS"},
	  "target":[{"id":"u1","type":"User","alternateId":"evil\u202egro.elpmaxe@example.com"},{"id":"u2","type":"User","alternateId":"ok@example.com"}]}]}}`))
	if err != nil {
		t.Fatal(err)
	}
	p := d.Data.Events[0].Plan(types)
	if len(p.People) != 2 || p.People[0].ID != "u1" || p.People[1].ID != "u2" || p.People[1].Emails[0] != "ok@example.com" {
		t.Fatalf("%+v", p)
	}
}
