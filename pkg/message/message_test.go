package message

import (
	"strings"
	"testing"
	"time"
)

func TestRoundTrip(t *testing.T) {
	m := Message{V: 1, RequestID: NewID(), Action: Revoke, Connection: "crm", Provider: "backendless", Email: "a@example.com", Fanout: true, RequestedAt: time.Now().UTC()}
	body, err := m.Encode()
	if err != nil {
		t.Fatal(err)
	}
	got, err := Decode(body)
	if err != nil || got.Email != m.Email || !got.Fanout || got.RequestID != m.RequestID {
		t.Fatalf("%+v %v", got, err)
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
