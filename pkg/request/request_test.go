package request

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/revoke-dev/revoke/pkg/config"
	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/provider/registry"
)

func testConfig(t testing.TB) *config.Config {
	t.Helper()
	cfg, err := config.Load(func(k string) string {
		return map[string]string{"CONNECTIONS": "field-app=journeyapps,crm=backendless,mendix=mendix,wiki=scim"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func target(conn, kind, v string) string {
	return fmt.Sprintf(`{"connection":%q,%q:%q}`, conn, kind, v)
}

func body(targets ...string) string {
	return `{"targets":[` + strings.Join(targets, ",") + `]}`
}

func TestParseAndExpandRejects(t *testing.T) {
	long := strings.Repeat("a", 129)
	tests := []struct {
		name, body, field, msg string
	}{
		{"not json", `{"targets":`, "", "not valid JSON"},
		{"empty body", ``, "", "not valid JSON"},
		{"array body", `[]`, "", "JSON object"},
		{"trailing data", body(target("crm", "user_id", "a")) + `{}`, "", "not valid JSON"},
		{"unknown top field", `{"targets":[],"x":1}`, "", ""},
		{"case-folded field", `{"Action":"revoke","targets":[{"connection":"crm","user_id":"a"}]}`, "Action", "unknown field"},
		{"duplicate key", `{"action":"revoke","action":"restore","targets":[{"connection":"crm","user_id":"a"}]}`, "action", "more than once"},
		{"duplicate target key", `{"targets":[{"connection":"crm","user_id":"a","user_id":"b"}]}`, "targets[0].user_id", "more than once"},
		{"unknown target field", `{"targets":[{"connection":"crm","user_id":"a","url":"http://x"}]}`, "targets[0].url", "unknown field"},
		{"bad action", `{"action":"delete","targets":[{"connection":"crm","user_id":"a"}]}`, "action", "revoke"},
		{"action not string", `{"action":1,"targets":[{"connection":"crm","user_id":"a"}]}`, "action", "string"},
		{"missing targets", `{"action":"revoke"}`, "targets", "required"},
		{"empty targets", `{"targets":[]}`, "targets", "empty"},
		{"targets not array", `{"targets":{}}`, "targets", "array"},
		{"target not object", `{"targets":["crm"]}`, "targets[0]", "object"},
		{"nested deep", `{"reason":[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]],"targets":[]}`, "reason", "string"},
		{"no connection", `{"targets":[{"user_id":"a"}]}`, "targets[0].connection", "required"},
		{"unknown connection", body(target("nope", "user_id", "a")), "targets[0].connection", "not a configured"},
		{"both ids", `{"targets":[{"connection":"crm","user_id":"a","email":"a@example.com"}]}`, "targets[0]", "exactly one"},
		{"neither id", `{"targets":[{"connection":"crm"}]}`, "targets[0]", "exactly one"},
		{"dotdot slash", body(target("crm", "user_id", "../admin")), "targets[0].user_id", "may contain only"},
		{"slash", body(target("crm", "user_id", "a/b")), "targets[0].user_id", "may contain only"},
		{"percent encoded", body(target("crm", "user_id", "%2e%2e")), "targets[0].user_id", "may contain only"},
		{"query", body(target("crm", "user_id", "x?y=1")), "targets[0].user_id", "may contain only"},
		{"dotdot", body(target("crm", "user_id", "..")), "targets[0].user_id", "dots"},
		{"dot", body(target("crm", "user_id", ".")), "targets[0].user_id", "dots"},
		{"nul", `{"targets":[{"connection":"crm","user_id":"a\u0000b"}]}`, "targets[0].user_id", "control characters"},
		{"tab", `{"targets":[{"connection":"crm","user_id":"a\tb"}]}`, "targets[0].user_id", "control characters"},
		{"newline", `{"targets":[{"connection":"crm","user_id":"a\nb"}]}`, "targets[0].user_id", "control characters"},
		{"space", body(target("crm", "user_id", "a b")), "targets[0].user_id", "may contain only"},
		{"hash", body(target("crm", "user_id", "a#b")), "targets[0].user_id", "may contain only"},
		{"backslash", `{"targets":[{"connection":"crm","user_id":"a\\b"}]}`, "targets[0].user_id", "may contain only"},
		{"129 chars", body(target("crm", "user_id", long)), "targets[0].user_id", "128"},
		{"empty id", body(target("crm", "user_id", "")), "targets[0]", "exactly one"},
		{"fullwidth slash look-alike", body(target("crm", "user_id", "a\uff0fb")), "targets[0].user_id", "may contain only"},
		{"cyrillic a look-alike", body(target("crm", "user_id", "\u0430dmin")), "targets[0].user_id", "may contain only"},
		{"one dot leader", body(target("crm", "user_id", "\u2024\u2024")), "targets[0].user_id", "may contain only"},
		{"two @", body(target("crm", "email", "a@b@example.com")), "targets[0].email", ""},
		{"no @", body(target("crm", "email", "example.com")), "targets[0].email", ""},
		{"display name", body(target("crm", "email", "Bob <bob@example.com>")), "targets[0].email", ""},
		{"quoted local", body(target("crm", "email", `"a b"@example.com`)), "targets[0].email", ""},
		{"email crlf", `{"targets":[{"connection":"crm","email":"a@example.com\r\nBcc: x@example.com"}]}`, "targets[0].email", ""},
		{"email no domain dot", body(target("crm", "email", "a@localhost")), "targets[0].email", ""},
		{"email too long", body(target("crm", "email", strings.Repeat("a", 250)+"@example.com")), "targets[0].email", "254"},
		{"email with space", body(target("crm", "email", "a b@example.com")), "targets[0].email", ""},
		{"star with user_id", body(target("*", "user_id", "a")), "targets[0].user_id", "email"},
		{"wipe on backendless", `{"targets":[{"connection":"crm","user_id":"a","wipe":false}]}`, "targets[0].wipe", "can wipe"},
		{"wipe on star", `{"targets":[{"connection":"*","email":"a@example.com","wipe":true}]}`, "targets[0].wipe", "can wipe"},
		{"dry run not bool", `{"dry_run":"yes","targets":[{"connection":"crm","user_id":"a"}]}`, "dry_run", "true or false"},
		{"reason bidi override", `{"reason":"fired ‮CEO","targets":[{"connection":"crm","user_id":"a"}]}`, "reason", "bidirectional"},
		{"reason bidi isolate", `{"reason":"x⁦y","targets":[{"connection":"crm","user_id":"a"}]}`, "reason", "bidirectional"},
		{"duplicate email by case", body(target("crm", "email", "A@example.com"), target("crm", "email", "a@example.com")), "targets[1]", "duplicates targets[0]"},
		{"wipe not bool", `{"targets":[{"connection":"field-app","user_id":"a","wipe":"yes"}]}`, "targets[0].wipe", "true or false"},
		{"wipe on restore", `{"action":"restore","targets":[{"connection":"field-app","user_id":"a","wipe":true}]}`, "targets[0].wipe", "revoke"},
		{"restore mendix", `{"action":"restore","targets":[{"connection":"crm","user_id":"a"},{"connection":"mendix","email":"a@example.com"}]}`, "targets[1]", "cannot restore"},
		{"duplicate target", body(target("crm", "user_id", "a"), target("crm", "user_id", "a")), "targets[1]", "duplicates targets[0]"},
		{"duplicate star", body(target("*", "email", "a@example.com"), target("*", "email", "a@example.com")), "targets[1]", "duplicates"},
		{"reason crlf", `{"reason":"x\r\nX-Injected: 1","targets":[{"connection":"crm","user_id":"a"}]}`, "reason", "control"},
		{"reason nul", `{"reason":"x\u0000","targets":[{"connection":"crm","user_id":"a"}]}`, "reason", "control"},
		{"reason line separator", `{"reason":"x\u2028y","targets":[{"connection":"crm","user_id":"a"}]}`, "reason", "control"},
		{"reason too long", `{"reason":"` + strings.Repeat("é", 513) + `","targets":[{"connection":"crm","user_id":"a"}]}`, "reason", "512"},
		{"invalid utf8", "{\"reason\":\"\xff\",\"targets\":[{\"connection\":\"crm\",\"user_id\":\"a\"}]}", "reason", "UTF-8"},
		{"too many targets", body(strings.Split(strings.Repeat(target("crm", "user_id", "a")+"|", 4), "|")[:4]...), "targets", "at most 3"},
	}
	cfg := testConfig(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := Parse([]byte(tt.body), 3)
			if err == nil {
				_, err = Expand(req, cfg, registry.Builtin())
			}
			var fe *Error
			if !errors.As(err, &fe) {
				t.Fatalf("want a field error, got %v", err)
			}
			if tt.field != "" && fe.Field != tt.field {
				t.Errorf("field = %q, want %q (%v)", fe.Field, tt.field, fe)
			}
			if !strings.Contains(fe.Message, tt.msg) {
				t.Errorf("message = %q, want it to contain %q", fe.Message, tt.msg)
			}
		})
	}
}

func TestBodyTooLarge(t *testing.T) {
	b := `{"reason":"` + strings.Repeat("a", MaxBodyBytes) + `","targets":[]}`
	if _, err := Parse([]byte(b), 10); err == nil || !strings.Contains(err.Error(), "256 KiB") {
		t.Fatalf("err = %v", err)
	}
}

func TestExpand(t *testing.T) {
	cfg := testConfig(t)
	req, err := Parse([]byte(`{
	  "reason": "leaver HR-4211",
	  "targets": [
	    {"connection": "field-app", "user_id": "ad66ab80-4d54-11ea-b7e8-77bec61efea5", "wipe": true},
	    {"connection": "crm", "user_id": "4D584E4D-05A3-4AC4-90C7-B80D1584E7AD"},
	    {"connection": "mendix", "email": "alice@example.com"},
	    {"connection": "*", "email": "bob@example.com"},
	    {"connection": "wiki", "email": "bob@example.com", "user_id": null}
	  ]}`), 1000)
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := Expand(req, cfg, registry.Builtin())
	if err != nil {
		t.Fatal(err)
	}
	if req.Action != message.Revoke || req.Reason != "leaver HR-4211" || req.DryRun {
		t.Errorf("bad request fields: %+v", req)
	}
	var got []string
	for _, m := range msgs {
		got = append(got, fmt.Sprintf("%s/%s/%s%s wipe=%v fanout=%v", m.Connection, m.Provider, m.UserID, m.Email, m.Wipe, m.Fanout))
	}
	want := []string{
		"field-app/journeyapps/ad66ab80-4d54-11ea-b7e8-77bec61efea5 wipe=true fanout=false",
		"crm/backendless/4D584E4D-05A3-4AC4-90C7-B80D1584E7AD wipe=false fanout=false",
		"mendix/mendix/alice@example.com wipe=false fanout=false",
		"wiki/scim/bob@example.com wipe=false fanout=false",
		"field-app/journeyapps/bob@example.com wipe=false fanout=true",
		"crm/backendless/bob@example.com wipe=false fanout=true",
		"mendix/mendix/bob@example.com wipe=false fanout=true",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestRestoreStarSkipsMendix(t *testing.T) {
	req, err := Parse([]byte(`{"action":"restore","targets":[{"connection":"*","email":"bob@example.com"}]}`), 10)
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := Expand(req, testConfig(t), registry.Builtin())
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 3 {
		t.Fatalf("got %d messages, want 3 (mendix cannot restore)", len(msgs))
	}
	for _, m := range msgs {
		if m.Provider == "mendix" {
			t.Errorf("unexpected %+v", m)
		}
	}
}

func TestAccepts(t *testing.T) {
	for _, b := range []string{
		body(target("crm", "user_id", "a.b_c@d:e+f-g")),
		body(target("crm", "user_id", strings.Repeat("A", 128))),
		body(target("crm", "email", "o'brien+tag@mail.example.co.uk")),
		`{"action":null,"reason":null,"targets":[{"connection":"field-app","user_id":"x","wipe":null}]}`,
		" \n" + body(target("crm", "user_id", "a")) + "\n ",
		`{"targets":[{"connection":"crm","user_id":"\u0061"}]}`,
	} {
		req, err := Parse([]byte(b), 10)
		if err == nil {
			_, err = Expand(req, testConfig(t), registry.Builtin())
		}
		if err != nil {
			t.Errorf("%s: %v", b, err)
		}
	}
}

// FuzzParse: the parser never panics, and whatever it accepts re-validates
// identically after a JSON round trip.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		body(target("crm", "user_id", "a")),
		`{"action":"restore","reason":"x","targets":[{"connection":"*","email":"a@example.com"},{"connection":"field-app","user_id":"u","wipe":false}]}`,
		`{"targets":[{"connection":"crm","user_id":"a\u0000"}]}`,
		`{"action":"revoke","action":"revoke"}`,
		`[`, `{"targets":[{}]}`, `{"reason":"\ud800"}`,
	} {
		f.Add([]byte(s))
	}
	cfg := testConfig(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		req, err := Parse(b, 50)
		if err != nil {
			var fe *Error
			if !errors.As(err, &fe) {
				t.Fatalf("error is not a field error: %v", err)
			}
			return
		}
		msgs, expErr := Expand(req, cfg, registry.Builtin())
		again, err := json.Marshal(req)
		if err != nil {
			t.Fatal(err)
		}
		req2, err := Parse(again, 50)
		if err != nil {
			t.Fatalf("round trip of %q rejected: %v", again, err)
		}
		msgs2, expErr2 := Expand(req2, cfg, registry.Builtin())
		if (expErr == nil) != (expErr2 == nil) || fmt.Sprint(msgs) != fmt.Sprint(msgs2) {
			t.Fatalf("round trip changed the result:\n%v %v\n%v %v", msgs, expErr, msgs2, expErr2)
		}
		for _, p := range msgs {
			m := message.New(message.Header{RequestID: message.NewID(), Action: req.Action, Reason: req.Reason}, p)
			if err := m.Validate(); err != nil {
				t.Fatalf("accepted target makes an invalid message: %v", err)
			}
		}
	})
}

func BenchmarkValidate(b *testing.B) {
	cfg := testConfig(b)
	var ts []string
	for i := range 1000 {
		switch i % 4 {
		case 0:
			ts = append(ts, fmt.Sprintf(`{"connection":"field-app","user_id":"ad66ab80-4d54-11ea-b7e8-%012d","wipe":false}`, i))
		case 1:
			ts = append(ts, target("crm", "user_id", fmt.Sprintf("4D584E4D-05A3-4AC4-90C7-%012d", i)))
		case 2:
			ts = append(ts, target("mendix", "email", fmt.Sprintf("user%d@example.com", i)))
		default:
			ts = append(ts, target("wiki", "user_id", fmt.Sprintf("u-%d", i)))
		}
	}
	raw := []byte(`{"action":"revoke","reason":"leaver HR-4211","targets":[` + strings.Join(ts, ",") + `]}`)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		req, err := Parse(raw, 1000)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Expand(req, cfg, registry.Builtin()); err != nil {
			b.Fatal(err)
		}
	}
}

// TestHostileBodiesAreCheap: deeply nested and oversized bodies are refused
// without building anything.
func TestHostileBodiesAreCheap(t *testing.T) {
	nested := []byte(`{"targets":` + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + `}`)
	huge := []byte(`{"targets":[` + strings.Repeat(`{"connection":"crm","user_id":"a"},`, 20000) + `{}]}`)
	for name, b := range map[string][]byte{"nested": nested, "huge": huge} {
		allocs := testing.AllocsPerRun(5, func() {
			if _, err := Parse(b, 1000); err == nil {
				t.Fatalf("%s accepted", name)
			}
		})
		if allocs > 64 { // a constant, whatever the size
			t.Errorf("%s: %.0f allocations to refuse", name, allocs)
		}
	}
}

func TestDryRun(t *testing.T) {
	req, err := Parse([]byte(`{"dry_run":true,"targets":[{"connection":"crm","user_id":"a"}]}`), 10)
	if err != nil || !req.DryRun {
		t.Fatalf("%+v %v", req, err)
	}
}

// Identity events (Okta, SCIM, the trigger) name people on listed
// connections with "*" semantics: no account is recorded, not failed, and
// a restore skips what cannot restore.
func TestForEvent(t *testing.T) {
	cfg := testConfig(t)
	p, err := Expand(ForEvent(message.Restore, []string{"a@example.com"}, []string{"crm", "mendix"}, "scim"), cfg, registry.Builtin())
	if err != nil || len(p) != 1 || p[0].Connection != "crm" || !p[0].Fanout {
		t.Fatalf("%+v %v", p, err)
	}
	p, err = Expand(ForEvent(message.Revoke, []string{"a@example.com", "b@example.com"}, nil, "okta"), cfg, registry.Builtin())
	if err != nil || len(p) != 8 {
		t.Fatalf("%d %v", len(p), err)
	}
	if _, err := Expand(ForEvent(message.Restore, []string{"a@example.com"}, []string{"mendix"}, "x"), cfg, registry.Builtin()); err == nil {
		t.Fatal("a restore that no connection can make was accepted")
	}
}

// Every request, whatever its front door, passes the one check for what
// may reach a log: an API body through Parse, an identity event, SCIM
// change or sweep through Expand. (Before: a bidi control in an email
// passed CheckEmail, and Expand checked nothing a front door built.)
func TestBidiRefusedAtEveryDoor(t *testing.T) {
	cfg := testConfig(t)
	tests := []struct {
		name  string
		email string
	}{
		{"RLO", "evil\u202egro.elpmaxe@example.com"},
		{"RLI", "a\u2067b@example.com"},
		{"RLM", "a\u200fb@example.com"},
		{"ALM", "a\u061cb@example.com"},
		{"newline", "a\nb@example.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, _ := json.Marshal(map[string]any{"targets": []map[string]string{{"connection": "crm", "email": tt.email}}})
			var rerr *Error
			if _, err := Parse(b, 100); !errors.As(err, &rerr) || rerr.Field != "targets[0].email" {
				t.Errorf("API body: %v", err)
			}
			sweep := &Request{Action: message.Revoke, Targets: []message.Target{{Connection: "crm", UserID: "u1", Email: tt.email}}}
			if _, err := Expand(sweep, cfg, registry.Builtin()); !errors.As(err, &rerr) || rerr.Field != "targets[0].user_id" {
				t.Errorf("sweep target's known address: %v", err)
			}
			for _, conns := range [][]string{nil, {"crm"}} {
				if _, err := Expand(ForEvent(message.Revoke, []string{"ok@example.com", tt.email}, conns, "okta"), cfg, registry.Builtin()); !errors.As(err, &rerr) || rerr.Field != "targets[1].email" {
					t.Errorf("event on %v: %v", conns, err)
				}
			}
		})
	}
}
