package rest

import "testing"

func TestSettingsOnDriftAndOrphans(t *testing.T) {
	for _, tc := range []struct {
		name, secret       string
		ok, drift, orphans bool
	}{
		{"defaults: alert, never by itself", `{}`, true, false, false},
		{"alert", `{"on_drift":"alert"}`, true, false, false},
		{"revoke drift", `{"on_drift":"revoke"}`, true, true, false},
		{"revoke orphans", `{"orphans":"revoke"}`, true, false, true},
		{"unknown on_drift", `{"on_drift":"restore"}`, false, false, false},
		{"unknown orphans", `{"orphans":"alert"}`, false, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := ParseSettings([]byte(tc.secret))
			if (err == nil) != tc.ok || (err == nil && (s.RevokesDrift() != tc.drift || s.RevokesOrphans() != tc.orphans)) {
				t.Fatalf("%+v %v", s, err)
			}
		})
	}
}
