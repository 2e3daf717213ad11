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
	if k := got.Target().Key(); k != "e:a@example.com#crm" {
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
	f.Fuzz(func(t *testing.T, body string) {
		m, err := Decode(body)
		if err != nil {
			return
		}
		if strings.ContainsAny(m.UserID, "/?#%\\ ") || m.UserID == ".." || m.UserID == "." {
			t.Fatalf("unsafe user id accepted: %q", m.UserID)
		}
		if (m.UserID == "") == (m.Email == "") {
			t.Fatal("exactly one of user_id and email")
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
