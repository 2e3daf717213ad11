package message

import (
	"strings"
	"testing"
	"time"
)

func TestRoundTrip(t *testing.T) {
	h := Header{RequestID: NewID(), Action: Revoke, Source: SourceAPI, Actor: "token:ops", DryRun: true, RequestedAt: time.Now()}
	m := New(h, Target{Connection: "crm", Provider: "backendless", Email: "A@example.com", Fanout: true})
	body, err := m.Encode()
	if err != nil {
		t.Fatal(err)
	}
	got, err := Decode(body)
	if err != nil || got.Email != m.Email || !got.Fanout || got.RequestID != m.RequestID || !got.DryRun || got.Actor != "token:ops" {
		t.Fatalf("%+v %v", got, err)
	}
	if k := got.Key(); k != "e:a@example.com#crm" {
		t.Fatalf("key %s", k)
	}
	if !IsID(m.RequestID) || IsID("../x") || IsID(strings.Repeat("a", 36)) {
		t.Fatal("IsID")
	}
	if len(m.RequestID) != 36 || m.RequestID[14] != '4' {
		t.Fatalf("not a v4 uuid: %s", m.RequestID)
	}
}

func TestDecodeRejects(t *testing.T) {
	for _, b := range []string{
		``, `{}`, `[]`, `{"v":2,"action":"revoke","connection":"c","user_id":"u"}`,
		`{"v":1,"action":"delete","connection":"c","user_id":"u"}`,
		`{"v":1,"action":"revoke","connection":"c"}`,
		`{"v":1,"action":"revoke","connection":"c","user_id":"../admin"}`,
		`{"v":1,"action":"revoke","connection":"c","user_id":".."}`,
		`{"v":1,"action":"revoke","connection":"c","email":"a@b@example.com"}`,
		`{"v":1,"action":"revoke","connection":"c","user_id":"u","url":"http://evil"}`,
		`{"v":1,"action":"revoke","connection":"c","user_id":"u"} {}`,
		`{"v":1,"action":"revoke","connection":"c","user_id":"u","source":"mars"}`,
		`{"v":1,"action":"revoke","connection":"c","user_id":"u","reason":"a\u202eb"}`,
		`{"v":1,"action":"","connection":"c","user_id":"u"}`,
		`{"v":1,"action":"revoke","connection":"c","user_id":"` + strings.Repeat("a", MaxBodyBytes) + `"}`,
		// proofs: accounts named safely, at most MaxProofAccounts, with the
		// change's outcome, never a dry run
		`{"v":1,"action":"revoke","connection":"c","user_id":"u","proof":["../x"],"proof_of":"done"}`,
		`{"v":1,"action":"revoke","connection":"c","user_id":"u","proof":["u"]}`,
		`{"v":1,"action":"revoke","connection":"c","user_id":"u","proof":["u"],"proof_of":"failed"}`,
		`{"v":1,"action":"revoke","connection":"c","user_id":"u","proof_of":"done"}`,
		`{"v":1,"action":"revoke","connection":"c","user_id":"u","proof":["u"],"proof_of":"done","dry_run":true}`,
		`{"v":1,"action":"revoke","connection":"c","email":"a@example.com","proof":["1","2","3","4","5","6","7","8","9","10","11","12","13","14","15","16","17","18","19","20","21"],"proof_of":"done"}`,
	} {
		if _, err := Decode(b); err == nil {
			t.Errorf("%.80s accepted", b)
		}
	}
}

// FuzzDecode: a queue body never panics the decoder, and anything accepted
// names a user that cannot change a URL path.
func FuzzDecode(f *testing.F) {
	f.Add(`{"v":1,"request_id":"r","action":"revoke","connection":"crm","provider":"backendless","user_id":"BL-1","requested_at":"2026-11-23T10:00:00Z"}`)
	f.Add(`{"v":1,"action":"restore","connection":"x","email":"a@example.com"}`)
	f.Add(`{"v":1,"action":"revoke","connection":"x","email":"a@example.com","proof":["a1","b2"],"proof_of":"already"}`)
	f.Add(`{"v":1,"request_id":"0b4c2a5e-1f0e-4c1a-9d36-2f1b9a7c8e01","action":"revoke","connection":"crm","user_id":"BL-1","kind":"check","requested_at":"2026-11-23T10:00:00Z"}`)
	f.Add(`{"v":1,"request_id":"0b4c2a5e-1f0e-4c1a-9d36-2f1b9a7c8e01","action":"revoke","connection":"crm","kind":"list","requested_at":"2026-11-23T10:00:00Z"}`)
	f.Fuzz(func(t *testing.T, body string) {
		m, err := Decode(body)
		if err != nil {
			return
		}
		if strings.ContainsAny(m.UserID, "/?#%\\ ") || m.UserID == ".." || m.UserID == "." {
			t.Fatalf("unsafe user id accepted: %q", m.UserID)
		}
		switch {
		case m.Kind == KindList && (m.UserID != "" || m.Email != ""):
			t.Fatal("a listing names no user")
		case m.Kind == KindCheck && (m.UserID == "" || m.Email != ""):
			t.Fatal("a check names one user id")
		case m.Kind == "" && (m.UserID == "") == (m.Email == ""):
			t.Fatal("exactly one of user_id and email")
		}
		for _, id := range m.Proof {
			if strings.ContainsAny(id, "/?#%\\ ") || id == ".." || id == "." {
				t.Fatalf("unsafe proof account accepted: %q", id)
			}
		}
	})
}

// Reasons and anything else that reaches a log refuse control characters
// and Unicode bidirectional controls. (Before: bidi controls passed.)
func TestCheckText(t *testing.T) {
	for _, bad := range []string{"a\nb", "a\x00", "\u202eevil", "x\u2066y", "\u2069", "\u200f", "\xff"} {
		if CheckText(bad) == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	for _, ok := range []string{"leaver HR-4211", "Zoë O'Brien — départ", "日本語"} {
		if err := CheckText(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	if got := Trim("a\u202eb\nc", 10); got != "abc" {
		t.Fatalf("%q", got)
	}
}

// CheckEmail and CheckUserID refuse everything CheckText refuses, bidi
// controls included: one check for what may reach a log, whatever the
// front door. (Before: CheckEmail let U+202A–U+202E, U+2066–U+2069,
// U+200E, U+200F and U+061C through.)
func TestCheckEmailRefusesWhatMayNotReachALog(t *testing.T) {
	tests := []struct {
		name  string
		email string
		ok    bool
	}{
		{"plain", "john.smith@example.com", true},
		{"mixed case", "John.Smith@Example.com", true},
		{"non-ASCII letters", "zoë@example.com", true},
		{"RLO in the local part", "evil\u202egro.elpmaxe@example.com", false},
		{"LRE", "a\u202ab@example.com", false},
		{"RLE", "a\u202bb@example.com", false},
		{"PDF", "a\u202cb@example.com", false},
		{"LRO", "a\u202db@example.com", false},
		{"LRI", "a\u2066b@example.com", false},
		{"RLI", "a\u2067b@example.com", false},
		{"FSI", "a\u2068b@example.com", false},
		{"PDI", "a\u2069b@example.com", false},
		{"LRM", "a\u200eb@example.com", false},
		{"RLM", "a\u200fb@example.com", false},
		{"ALM", "a\u061cb@example.com", false},
		{"bidi in the domain", "a@exa\u202emple.com", false},
		{"newline", "a\nb@example.com", false},
		{"NUL", "a\x00b@example.com", false},
		{"C1 control", "a\u0085b@example.com", false},
		{"line separator", "a\u2028b@example.com", false},
		{"space", "a b@example.com", false},
		{"invalid UTF-8", "a\xffb@example.com", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckEmail(tt.email)
			if (err == nil) != tt.ok {
				t.Fatalf("CheckEmail(%q) = %v, want ok=%v", tt.email, err, tt.ok)
			}
			if tt.ok {
				return
			}
			for _, r := range tt.email {
				if Unsafe(r) && CheckText(tt.email) == nil {
					t.Fatalf("CheckText and Unsafe disagree on %q", tt.email)
				}
			}
		})
	}
	for _, id := range []string{"a\u202eb", "u\u200f1"} {
		if CheckUserID(id) == nil {
			t.Errorf("CheckUserID(%q) accepted", id)
		}
	}
}

// FuzzCheckEmail: an accepted address never holds a character that may
// not reach a log as it is.
func FuzzCheckEmail(f *testing.F) {
	f.Add("john.smith@example.com")
	f.Add("evil\u202egro.elpmaxe@example.com")
	f.Fuzz(func(t *testing.T, s string) {
		if CheckEmail(s) != nil {
			return
		}
		if CheckText(s) != nil || strings.ContainsFunc(s, Unsafe) || strings.ContainsRune(s, ' ') {
			t.Fatalf("accepted %q", s)
		}
	})
}
