package e2e

import (
	"encoding/json"
	"testing"

	"github.com/revoke-dev/revoke/pkg/sweep"
)

// The unqueued backstop runs in every deployment: a second sweep schedule,
// every 5 minutes, always ENABLED (whatever SweepEnabled says), whose input
// the sweep reads as backstop-only. (Before: the only rule was DISABLED
// unless SweepEnabled=true, and hourly.)
func TestTemplateRunsTheBackstop(t *testing.T) {
	tpl := loadTemplate(t)
	ev := m(tpl, "Resources", "SweepFunction", "Properties", "Events", "Backstop", "Properties")
	if m(tpl, "Resources", "SweepFunction", "Properties", "Events", "Backstop", "Type") != "Schedule" ||
		m(ev, "Schedule") != "rate(5 minutes)" || m(ev, "State") != "ENABLED" {
		t.Fatalf("backstop rule: %v", ev)
	}
	raw, _ := m(ev, "Input").(string)
	in, err := sweep.ParseInput(json.RawMessage(raw))
	if err != nil || !in.BackstopOnly {
		t.Fatalf("input %q: %+v %v", raw, in, err)
	}
}
