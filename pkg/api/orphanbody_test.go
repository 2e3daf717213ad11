package api

import (
	"errors"
	"strings"
	"testing"

	"github.com/revoke-dev/revoke/pkg/request"
)

func TestParseOrphansRevoke(t *testing.T) {
	for _, tc := range []struct {
		name, body, field string
		ok                bool
	}{
		{"minimal", `{"connection":"wiki"}`, "", true},
		{"every field", `{"connection":"wiki","reason":"clean-up","dry_run":true}`, "", true},
		{"no connection", `{"reason":"x"}`, "connection", false},
		{"connection with a slash", `{"connection":"../x"}`, "connection", false},
		{"connection that is no connection name", `{"connection":"Wiki.Prod"}`, "connection", false},
		{"unknown field", `{"connection":"wiki","targets":[]}`, "", false},
		{"trailing data", `{"connection":"wiki"} {}`, "", false},
		{"not an object", `["wiki"]`, "", false},
		{"bidi control in the reason", `{"connection":"wiki","reason":"a\u202eb"}`, "reason", false},
		{"reason too long", `{"connection":"wiki","reason":"` + strings.Repeat("x", request.MaxReasonLen+1) + `"}`, "reason", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseOrphansRevoke([]byte(tc.body))
			var fe *request.Error
			if (err == nil) != tc.ok || (err != nil && (!errors.As(err, &fe) || fe.Field != tc.field)) {
				t.Fatalf("%v", err)
			}
		})
	}
}

// FuzzParseOrphansRevoke: any body is either refused with a field error
// or gives a connection name and a reason fit for a log.
func FuzzParseOrphansRevoke(f *testing.F) {
	for _, s := range []string{`{"connection":"wiki"}`, `{"connection":"wiki","reason":"r","dry_run":true}`, `{}`, `null`, `{"connection":1}`, "{\"connection\":\"w\",\"reason\":\"\\u0000\"}"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		o, err := parseOrphansRevoke(b)
		if err != nil {
			var fe *request.Error
			if !errors.As(err, &fe) {
				t.Fatalf("unclassified error %v", err)
			}
			return
		}
		if o.Connection == "" || strings.ContainsAny(o.Connection, "/ \n") || strings.ContainsRune(o.Reason, '\n') {
			t.Fatalf("accepted %+v", o)
		}
	})
}
