package sweep

import "testing"

func TestParseDriftAndOrphansInput(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		ok       bool
	}{
		{"drift with defaults", `{"drift":{}}`, true},
		{"drift days", `{"drift":{"days":30}}`, true},
		{"orphans every 6 hours", `{"orphans":{"every_hours":6}}`, true},
		{"both, dry run", `{"dry_run":true,"drift":{},"orphans":{}}`, true},
		{"negative days", `{"drift":{"days":-1}}`, false},
		{"ten years and a day", `{"drift":{"days":3651}}`, false},
		{"unknown drift field", `{"drift":{"connections":["crm"]}}`, false},
		{"negative hours", `{"orphans":{"every_hours":-1}}`, false},
		{"with the backstop", `{"backstop_only":true,"drift":{}}`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ParseInput([]byte(tc.in)); (err == nil) != tc.ok {
				t.Fatalf("%v", err)
			}
		})
	}
}
