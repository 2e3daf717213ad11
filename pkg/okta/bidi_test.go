package okta

import (
	"strings"
	"testing"
)

// The Okta front door (hook and stream share Plan) never takes an address
// with a Unicode bidirectional control: its person is skipped, by id, not
// revoked under a name that reads otherwise. (Before: CheckEmail let bidi
// controls through, so the address was planned.)
func TestPlanSkipsBidiAddresses(t *testing.T) {
	for _, alt := range []string{"evil\u202egro.elpmaxe@example.com", "a\u2066b@example.com", "a\u200eb@example.com"} {
		d, err := Parse([]byte(`{"data":{"events":[{"uuid":"1","eventType":"user.lifecycle.deactivate","outcome":{"result":"SUCCESS"},
		  "target":[{"id":"u1","type":"User","alternateId":"` + alt + `"},{"id":"u2","type":"User","alternateId":"ok@example.com"}]}]}}`))
		if err != nil {
			t.Fatal(err)
		}
		p := d.Data.Events[0].Plan(types)
		if strings.Join(p.Emails, ",") != "ok@example.com" || strings.Join(p.Skipped, ",") != "u1" {
			t.Errorf("%q: %+v", alt, p)
		}
	}
}
