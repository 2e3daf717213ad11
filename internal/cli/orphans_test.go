package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/revoke-dev/revoke/internal/inmem"
	"github.com/revoke-dev/revoke/pkg/ledger"
)

// revokectl orphans against the demo shows the orphans the demo seeds:
// the orphan, and the excepted account with who excepted it.
func TestOrphansAgainstTheDemo(t *testing.T) {
	code, out, errs := run(t, "", "orphans", "--demo")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"wiki (scim)", "sc-old-contractor  old.contractor@example.com", "orphan", "sc-backup-bot", "excepted  token:security-team"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// The list follows every page; revoke posts exactly the documented body
// with the bearer token.
func TestOrphansThroughTheAPI(t *testing.T) {
	var posted map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer tok-0123456789abcdef" {
			w.WriteHeader(401)
			return
		}
		switch {
		case r.Method == "GET" && r.URL.Path == "/orphans" && r.URL.Query().Get("cursor") == "":
			io.WriteString(w, `{"connection":"wiki","provider":"scim","directory":["scim"],"listed_at":"2026-12-01T00:00:00Z","orphans":[{"user_id":"a","email":"a@example.com","last_sign_in":null,"first_seen":"2026-11-01T00:00:00Z","status":"orphan","excepted_by":null}],"next":"a"}`)
		case r.Method == "GET" && r.URL.Path == "/orphans" && r.URL.Query().Get("cursor") == "a":
			io.WriteString(w, `{"connection":"wiki","provider":"scim","directory":["scim"],"listed_at":"2026-12-01T00:00:00Z","orphans":[{"user_id":"b","email":"b@example.com","last_sign_in":null,"first_seen":"2026-11-01T00:00:00Z","status":"excepted","excepted_by":"token:ops"}],"next":null}`)
		case r.Method == "POST" && r.URL.Path == "/orphans/revoke" && r.Header.Get("Content-Type") == "application/json":
			_ = json.NewDecoder(r.Body).Decode(&posted)
			w.WriteHeader(202)
			io.WriteString(w, `{"request_id":"0b4c2a5e-1f0e-4c1a-9d36-2f1b9a7c8e01","accepted":1}`)
		default:
			w.WriteHeader(404)
		}
	}))
	defer srv.Close()
	t.Setenv("REVOKE_API_TOKEN", "tok-0123456789abcdef")
	code, out, errs := run(t, "", "orphans", "--url", srv.URL, "--insecure", "--connection", "wiki", "--format", "json")
	var merged struct {
		Orphans []struct{ UserID string } `json:"orphans"`
	}
	if code != ExitOK || json.Unmarshal([]byte(out), &merged) != nil || len(merged.Orphans) != 2 {
		t.Fatalf("exit %d %s %s", code, out, errs)
	}
	code, out, errs = run(t, "", "orphans", "revoke", "--url", srv.URL, "--insecure", "--connection", "wiki", "--reason", "clean-up", "--dry-run")
	if code != ExitOK || !strings.Contains(out, "1 orphan(s) accepted (dry run: true)") {
		t.Fatalf("exit %d %s %s", code, out, errs)
	}
	if posted["connection"] != "wiki" || posted["reason"] != "clean-up" || posted["dry_run"] != true || len(posted) != 3 {
		t.Fatalf("posted %v", posted)
	}
}

func TestOrphansUsage(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"no connection", []string{"orphans"}},
		{"bad format", []string{"orphans", "--connection", "wiki", "--format", "xml"}},
		{"revoke without a reason", []string{"orphans", "revoke", "--connection", "wiki"}},
		{"except without who", []string{"orphans", "except", "--connection", "wiki", "--user-id", "u1"}},
		{"except a path", []string{"orphans", "except", "--connection", "wiki", "--user-id", "../u", "--by", "me"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if code, _, _ := run(t, "", tc.args...); code != ExitUsage {
				t.Fatalf("exit %d", code)
			}
		})
	}
}

// An exception records who excepted the account; --remove deletes it.
func TestExcept(t *testing.T) {
	l := ledger.New(inmem.NewStore(nil), 0)
	var out bytes.Buffer
	s := IO{Out: &out, Err: &out}
	if code := except(context.Background(), s, l, ledger.Exception{Connection: "wiki", UserID: "svc-1", By: "jane@corp", Note: "backup"}, false); code != ExitOK {
		t.Fatal(out.String())
	}
	got, _ := l.Exceptions(context.Background(), "wiki")
	if got["svc-1"].By != "jane@corp" || got["svc-1"].At.IsZero() {
		t.Fatalf("%+v", got)
	}
	if code := except(context.Background(), s, l, ledger.Exception{Connection: "wiki", UserID: "svc-1"}, true); code != ExitOK {
		t.Fatal(out.String())
	}
	if got, _ := l.Exceptions(context.Background(), "wiki"); len(got) != 0 {
		t.Fatalf("%+v", got)
	}
}
