package consumer

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/revoke-dev/revoke/internal/simulator"
	"github.com/revoke-dev/revoke/pkg/message"
)

// readRefusingSCIM is a SCIM simulator behind a proxy that answers every
// read of one user (GET /Users/{id}) with status, as a token scoped to
// write only is answered; changes pass through. It returns the
// connection's secret and the number of refused reads.
func readRefusingSCIM(t *testing.T, status int) (*simulator.SCIM, string, *atomic.Int32) {
	t.Helper()
	sim := simulator.NewSCIM("scim-token-0123456789", simulator.Options{})
	t.Cleanup(sim.Close)
	target, _ := url.Parse(sim.URL())
	proxy := httputil.NewSingleHostReverseProxy(target)
	refused := &atomic.Int32{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/scim/v2/Users/") {
			refused.Add(1)
			w.Header().Set("Content-Type", "application/scim+json")
			w.WriteHeader(status)
			_ = json.NewEncoder(w).Encode(map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:Error"},
				"status": http.StatusText(status), "detail": "insufficient scope"})
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	secret, _ := json.Marshal(map[string]any{"base_url": srv.URL + "/scim/v2", "token": "scim-token-0123456789", "rate_per_second": 500})
	return sim, string(secret), refused
}

// A change answered 204 whose read-back cannot be made is never done. A
// refusal (401/403) is tried once more after a secret refresh, then goes to
// the DLQ as unverified with the reason that tells the operator what to do;
// another permanent answer goes there at once (a transient one is retried
// as unverified, as before). (Before: done with verified=false, and the
// message deleted.)
func TestReadBackNotMadeIsNotDone(t *testing.T) {
	for _, tc := range []struct {
		name      string
		status    int
		wantReads int32 // 2: once more after the secret refresh
		reason    string
	}{
		{"forbidden", http.StatusForbidden, 2, "the token cannot read accounts: grant read, or set verify: false"},
		{"unauthorized", http.StatusUnauthorized, 2, "the token cannot read accounts: grant read, or set verify: false"},
		{"bad request", http.StatusBadRequest, 1, "reading it back failed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, simulator.Options{})
			sim, secret, refused := readRefusingSCIM(t, tc.status)
			sim.NoContent = true
			sim.Add(simulator.User{ID: "sc-1"})
			w.store.Put("revoke/wiki", secret)
			dlq := &fakeDLQ{}
			resp, _ := w.consumer(dlq).Handle(context.Background(), event(t, msg("wiki", "scim", "sc-1", "")))
			if len(resp.BatchItemFailures) != 0 || len(dlq.sent) != 1 {
				t.Fatalf("failures %v dlq %v", resp.BatchItemFailures, dlq.sent)
			}
			if a := dlq.sent[0].Attributes; a["error_code"] != "unverified" || !strings.Contains(a["error_message"], tc.reason) {
				t.Fatalf("dlq attributes %v", a)
			}
			if n := refused.Load(); n != tc.wantReads {
				t.Fatalf("%d reads, want %d", n, tc.wantReads)
			}
			if o := w.outcomes(t)["u:sc-1#wiki"]; o.Outcome != message.Failed || o.Code != message.CodeUnverified || !strings.Contains(o.Message, tc.reason) {
				t.Fatalf("ledger %+v", o)
			}
			if u, _ := sim.User("sc-1"); !u.Disabled {
				t.Fatal("the change was not made")
			}
		})
	}
}

// A connection with verify: false is done without a read-back.
func TestReadBackOffIsDone(t *testing.T) {
	w := newWorld(t, simulator.Options{})
	sim, secret, refused := readRefusingSCIM(t, http.StatusForbidden)
	sim.Add(simulator.User{ID: "sc-1"})
	w.store.Put("revoke/wiki", strings.Replace(secret, `"rate_per_second"`, `"verify":false,"rate_per_second"`, 1))
	dlq := &fakeDLQ{}
	resp, _ := w.consumer(dlq).Handle(context.Background(), event(t, msg("wiki", "scim", "sc-1", "")))
	if len(resp.BatchItemFailures) != 0 || len(dlq.sent) != 0 || refused.Load() != 0 {
		t.Fatalf("failures %v dlq %v reads %d", resp.BatchItemFailures, dlq.sent, refused.Load())
	}
	if o := w.outcomes(t)["u:sc-1#wiki"]; o.Outcome != message.Done || o.Verified != nil {
		t.Fatalf("ledger %+v", o)
	}
}

// exhausted keeps the last error's code in last_error_code, so an
// unverified target stays visible as such. (Before: no last_error_code.)
func TestExhaustedKeepsLastErrorCode(t *testing.T) {
	w := newWorld(t, simulator.Options{})
	w.SC.Add(simulator.User{ID: "sc-1"})
	w.SC.SetOptions(simulator.Options{IgnoreChanges: true})
	w.SC.NoContent = true
	dlq := &fakeDLQ{}
	resp, _ := w.consumer(dlq).Handle(context.Background(), eventN(t, w.cfg.MaxReceiveCount, msg("wiki", "scim", "sc-1", "")))
	if len(resp.BatchItemFailures) != 0 || len(dlq.sent) != 1 {
		t.Fatalf("failures %v dlq %v", resp.BatchItemFailures, dlq.sent)
	}
	if a := dlq.sent[0].Attributes; a["error_code"] != "exhausted" || a["last_error_code"] != "unverified" {
		t.Fatalf("%v", a)
	}
}

// When the ledger refuses the outcomes, no outcome is lost (ledger-first,
// then the DLQ): before the last delivery every target is retried and
// nothing is sent to the DLQ (so no DLQ send is repeated on the
// redelivery); on the last delivery every target goes to the DLQ as
// exhausted/unavailable for the sweep to re-drive. The redelivery records
// the outcome. (Before: a target sent to the DLQ, or on its last delivery,
// was deleted and never recorded; its status stayed pending for ever.)
func TestLedgerOutageLosesNoOutcome(t *testing.T) {
	for _, tc := range []struct {
		name        string
		receive     int
		wantRetried int
		wantDLQ     int
	}{
		{"before the last delivery", 1, 2, 0},
		{"on the last delivery", 5, 0, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, simulator.Options{})
			w.BL.Add(simulator.User{ID: "BL-1"})
			bodies := []any{msg("crm", "backendless", "BL-1", ""), msg("crm", "backendless", "BL-404", "")}
			w.lstore.SetFailure(errors.New("ProvisionedThroughputExceeded"))
			dlq := &fakeDLQ{}
			c := w.consumer(dlq)
			receive := tc.receive
			if receive == 5 {
				receive = w.cfg.MaxReceiveCount
			}
			resp, _ := c.Handle(context.Background(), eventN(t, receive, bodies...))
			if len(resp.BatchItemFailures) != tc.wantRetried || len(dlq.sent) != tc.wantDLQ {
				t.Fatalf("failures %v dlq %v", resp.BatchItemFailures, dlq.sent)
			}
			for _, m := range dlq.sent {
				if m.Attributes["error_code"] != "exhausted" || m.Attributes["last_error_code"] != "unavailable" ||
					!strings.Contains(m.Attributes["error_message"], "ledger") {
					t.Fatalf("dlq attributes %v", m.Attributes)
				}
			}
			// The ledger is back: the redelivery (or the sweep's re-drive)
			// records both outcomes.
			w.lstore.SetFailure(nil)
			dlq.sent = nil
			resp, _ = c.Handle(context.Background(), event(t, bodies...))
			if len(resp.BatchItemFailures) != 0 || len(dlq.sent) != 1 || dlq.sent[0].Attributes["error_code"] != "not_found" {
				t.Fatalf("redelivery: failures %v dlq %v", resp.BatchItemFailures, dlq.sent)
			}
			out := w.outcomes(t)
			if out["u:BL-1#crm"].Outcome != message.Already || out["u:BL-404#crm"].Outcome != message.Failed {
				t.Fatalf("ledger %+v", out)
			}
		})
	}
}
