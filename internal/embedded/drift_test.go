package embedded_test

import (
	"context"
	"strings"
	"testing"

	"github.com/revoke-dev/revoke/internal/simulator"
	"github.com/revoke-dev/revoke/pkg/ledger"
	"github.com/revoke-dev/revoke/pkg/message"
)

// revokeThenReenable revokes crm's BL-1 through the API, then an admin
// re-enables it at Backendless "for one day". It returns the request id.
func revokeThenReenable(t *testing.T, w *world) string {
	t.Helper()
	w.BL.Add(simulator.User{ID: "BL-1", Email: "contractor@example.com"})
	r := w.call(t, 202, "POST", "/revocations", `{"reason":"leaver","targets":[{"connection":"crm","user_id":"BL-1"}]}`)
	w.drain(t)
	if u, _ := w.BL.User("BL-1"); !u.Disabled {
		t.Fatal("the revocation did not disable BL-1")
	}
	w.BL.Add(simulator.User{ID: "BL-1", Email: "contractor@example.com"}) // enabled again
	return r["request_id"].(string)
}

func drifts(t *testing.T, w *world) []ledger.Drift {
	t.Helper()
	d, _, err := w.Ledger.ListDrift(context.Background(), "", 100)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// Drift seen and alerted (on_drift absent: alert): recorded with when it
// was seen and what was read, the revocation's target shows drift, an
// ERROR line and the drift metric; nothing is revoked again.
func TestDriftSeenAndAlerted(t *testing.T) {
	stores(t, func(t *testing.T, store ledger.Store) {
		w := start(t, store)
		id := revokeThenReenable(t, w)
		res := w.sweep(t, `{"drift":{}}`)
		w.drain(t)
		d := drifts(t, w)
		if len(d) != 1 || d[0].UserID != "BL-1" || d[0].RequestID != id || d[0].OnDrift != "alert" || d[0].SeenAt.IsZero() || d[0].Read == "" || d[0].NewRequestID != "" {
			t.Fatalf("drift %+v (sweep %+v)", d, res.Drift)
		}
		st := w.call(t, 200, "GET", "/revocations/"+id, "")
		if tg := st["targets"].([]any)[0].(map[string]any); tg["outcome"] != string(message.Drift) || st["status"] == "done" {
			t.Fatalf("status %v", st)
		}
		logs := w.log.String()
		if !strings.Contains(logs, `"level":"ERROR","msg":"drift: an account revoke revoked is active again"`) || !strings.Contains(logs, `"drift":1`) {
			t.Fatalf("no ERROR line or metric:\n%s", logs)
		}
		if u, _ := w.BL.User("BL-1"); u.Disabled {
			t.Fatal("alert revoked the account")
		}
		// Mendix cannot show state: its drift check says so.
		for _, r := range res.Drift {
			if r.Connection == "mendix" && (r.Status != "unsupported" || !strings.Contains(r.Error, "cannot show")) {
				t.Fatalf("mendix: %+v", r)
			}
		}
	})
}

// Under on_drift: revoke, drift makes a new request with source drift
// that revokes the account again; a redelivered check makes no second one.
func TestDriftRevokedAgain(t *testing.T) {
	stores(t, func(t *testing.T, store ledger.Store) {
		w := start(t, store)
		w.setSecret(t, "crm", map[string]any{"on_drift": "revoke"})
		revokeThenReenable(t, w)
		w.sweep(t, `{"drift":{}}`)
		w.drain(t)
		d := drifts(t, w)
		if len(d) != 1 || d[0].OnDrift != "revoke" || d[0].NewRequestID == "" {
			t.Fatalf("drift %+v", d)
		}
		st := w.call(t, 200, "GET", "/revocations/"+d[0].NewRequestID, "")
		if st["source"] != "drift" || st["action"] != "revoke" || st["status"] != "done" {
			t.Fatalf("re-revocation %v", st)
		}
		if u, _ := w.BL.User("BL-1"); !u.Disabled {
			t.Fatal("the drift was not revoked again")
		}
		// The next check sees it revoked: no new drift.
		w.sweep(t, `{"drift":{}}`)
		w.drain(t)
		if n := len(drifts(t, w)); n != 1 {
			t.Fatalf("%d drift records after the re-revocation", n)
		}
	})
}

// A restore made through revoke after the revocation is not drift.
func TestRestoreIsNotDrift(t *testing.T) {
	stores(t, func(t *testing.T, store ledger.Store) {
		w := start(t, store)
		w.BL.Add(simulator.User{ID: "BL-2", Email: "back@example.com"})
		w.call(t, 202, "POST", "/revocations", `{"targets":[{"connection":"crm","user_id":"BL-2"}]}`)
		w.drain(t)
		w.call(t, 202, "POST", "/revocations", `{"action":"restore","targets":[{"connection":"crm","user_id":"BL-2"}]}`)
		w.drain(t)
		if u, _ := w.BL.User("BL-2"); u.Disabled {
			t.Fatal("not restored")
		}
		res := w.sweep(t, `{"drift":{}}`)
		w.drain(t)
		if d := drifts(t, w); len(d) != 0 {
			t.Fatalf("restore reported as drift: %+v", d)
		}
		for _, r := range res.Drift {
			if r.Connection == "crm" && r.Queued != 0 {
				t.Fatalf("a restored account was re-read: %+v", r)
			}
		}
	})
}

// A dry run changes nothing: no drift record, no request, the account
// stays as it is; the log line says what would happen.
func TestDriftDryRun(t *testing.T) {
	stores(t, func(t *testing.T, store ledger.Store) {
		w := start(t, store)
		w.setSecret(t, "crm", map[string]any{"on_drift": "revoke"})
		revokeThenReenable(t, w)
		w.sweep(t, `{"dry_run":true,"drift":{}}`)
		w.drain(t)
		if d := drifts(t, w); len(d) != 0 {
			t.Fatalf("a dry run recorded drift: %+v", d)
		}
		if u, _ := w.BL.User("BL-1"); u.Disabled {
			t.Fatal("a dry run revoked the account")
		}
		if !strings.Contains(w.log.String(), `"on_drift":"would_revoke"`) {
			t.Fatal("the dry run does not say what it would do")
		}
	})
}
