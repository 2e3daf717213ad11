package message

import (
	"testing"
	"time"
)

// Background reads decode only in their own shape: a check names one
// user id, a listing none; neither carries an email, a reason or a wipe.
func TestBackgroundReads(t *testing.T) {
	at := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	const id = "0b4c2a5e-1f0e-4c1a-9d36-2f1b9a7c8e01"
	check := NewCheck(id, "crm", "backendless", "BL-1", true, at)
	list := NewList(id, "wiki", "scim", at)
	for _, tc := range []struct {
		name   string
		mutate func(m *Message)
		base   Message
		ok     bool
	}{
		{"check", func(*Message) {}, check, true},
		{"list", func(*Message) {}, list, true},
		{"check without a user", func(m *Message) { m.UserID = "" }, check, false},
		{"check of a path", func(m *Message) { m.UserID = "../admin" }, check, false},
		{"check by email", func(m *Message) { m.Email = "a@example.com" }, check, false},
		{"list naming a user", func(m *Message) { m.UserID = "u" }, list, false},
		{"list as a dry run", func(m *Message) { m.DryRun = true }, list, false},
		{"a read that restores", func(m *Message) { m.Action = Restore }, list, false},
		{"a read with a reason", func(m *Message) { m.Reason = "x" }, check, false},
		{"a read without its run id", func(m *Message) { m.RequestID = "run" }, check, false},
		{"unknown kind", func(m *Message) { m.Kind = "scan" }, check, false},
		{"unknown source", func(m *Message) { m.Source = "evil" }, list, false},
		{"bidi control in the actor", func(m *Message) { m.Actor = "sweep\u202e" }, check, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := tc.base
			tc.mutate(&m)
			body, err := m.Encode()
			if err != nil {
				t.Fatal(err)
			}
			got, err := Decode(body)
			if (err == nil) != tc.ok {
				t.Fatalf("%v", err)
			}
			if err == nil && (!got.Background() || got.Kind != m.Kind || got.Source != m.Source) {
				t.Fatalf("%+v", got)
			}
		})
	}
}

func TestSourcesOfDriftAndOrphans(t *testing.T) {
	for _, s := range []Source{SourceDrift, SourceOrphans} {
		if !s.Valid() {
			t.Errorf("%s is not a valid source", s)
		}
	}
	if !Drift.Final() {
		t.Error("drift does not settle a target")
	}
}

// A background read names its connection by a connection's name: a
// message whose connection could never be configured is refused.
func TestBackgroundReadConnectionName(t *testing.T) {
	at := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		m    Message
		ok   bool
	}{
		{"check", NewCheck(NewID(), "crm", "backendless", "BL-1", false, at), true},
		{"list", NewList(NewID(), "wiki", "scim", at), true},
		{"check on no connection name", NewCheck(NewID(), "CRM:prod", "backendless", "BL-1", false, at), false},
		{"list on no connection name", NewList(NewID(), "Wiki.Prod", "scim", at), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body, err := tc.m.Encode()
			if err == nil {
				_, err = Decode(body)
			}
			if (err == nil) != tc.ok {
				t.Fatalf("err %v, want ok %t", err, tc.ok)
			}
		})
	}
}
