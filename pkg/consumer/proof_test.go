package consumer

import (
	"context"
	"encoding/json"
	"sort"
	"testing"
	"time"

	"github.com/revoke-dev/revoke/internal/simulator"
	"github.com/revoke-dev/revoke/pkg/audit"
	"github.com/revoke-dev/revoke/pkg/ledger"
	"github.com/revoke-dev/revoke/pkg/message"
)

// history is every outcome the ledger holds for a target, in time order.
func (w *world) history(t *testing.T, key string) []message.Outcome {
	t.Helper()
	items, err := w.lstore.Query(context.Background(), ledger.Query{PK: "REQ#" + testRequest})
	if err != nil {
		t.Fatal(err)
	}
	var as []ledger.Attempt
	for _, it := range items.Items {
		var a ledger.Attempt
		if json.Unmarshal(it.Data, &a) == nil && a.Key == key && a.Outcome != "" {
			as = append(as, a)
		}
	}
	sort.SliceStable(as, func(i, j int) bool { return as[i].At.Before(as[j].At) })
	out := make([]message.Outcome, len(as))
	for i, a := range as {
		out[i] = a.Outcome
	}
	return out
}

// TestChangedRecordedBeforeItsProof: a change the provider accepted is
// recorded as changed (ledger and audit line) before its read-back, and
// the read-back, made in the same invocation, makes it done. Mendix cannot
// be read: done at once, never changed. (Before: nothing was recorded
// until the read-back was over, and there was no changed state.)
func TestChangedRecordedBeforeItsProof(t *testing.T) {
	tests := []struct {
		name, conn, prov, id string
		want                 []message.Outcome
	}{
		{"journeyapps", "field-app", "journeyapps", "ja-1", []message.Outcome{message.Changed, message.Done}},
		{"backendless", "crm", "backendless", "BL-1", []message.Outcome{message.Changed, message.Done}},
		{"scim", "wiki", "scim", "sc-1", []message.Outcome{message.Changed, message.Done}},
		{"mendix cannot be read", "mendix", "mendix", "6f1e7f5e-0001-4000-8000-000000000001", []message.Outcome{message.Done}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, simulator.Options{})
			w.Sim(tt.conn).Add(simulator.User{ID: tt.id, Email: "p@example.com"})
			m := msg(tt.conn, tt.prov, tt.id, "")
			c := w.consumer(&fakeDLQ{})
			var seen []message.Outcome
			c.OnOutcome = func(r audit.Record) { seen = append(seen, r.Outcome) }
			if resp, _ := c.Handle(context.Background(), event(t, m)); len(resp.BatchItemFailures) != 0 {
				t.Fatalf("failures %v", resp.BatchItemFailures)
			}
			if h := w.history(t, m.Target().Key()); !equal(h, tt.want) {
				t.Fatalf("ledger history %v, want %v", h, tt.want)
			}
			if !equal(seen, tt.want) {
				t.Fatalf("audit outcomes %v, want %v", seen, tt.want)
			}
			if st := w.outcomes(t)[m.Target().Key()]; tt.want[0] == message.Changed && (st.Verified == nil || !*st.Verified) {
				t.Fatalf("proven but not verified: %+v", st)
			}
		})
	}
}

func equal(a, b []message.Outcome) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestPendingProofSurvivesAStop: the function stops after the change and
// before its read-back (here: no time left for it). The ledger says
// changed, then retrying; the message stays in the queue; its redelivery,
// in a new process (nothing in memory), finds the change made (already)
// and proves it.
func TestPendingProofSurvivesAStop(t *testing.T) {
	w := newWorld(t, simulator.Options{})
	w.BL.Add(simulator.User{ID: "BL-1"})
	m := msg("crm", "backendless", "BL-1", "")
	key := m.Target().Key()
	stopping := w.consumer(&fakeDLQ{})
	stopping.ProofTime = 24 * time.Hour // never time left for a read-back
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	resp, _ := stopping.Handle(ctx, event(t, m))
	if f := failures(resp); !f["m0"] {
		t.Fatalf("a change without its proof must stay in the queue: %v", resp.BatchItemFailures)
	}
	if u, _ := w.BL.User("BL-1"); !u.Disabled {
		t.Fatal("the change was not made")
	}
	if h := w.history(t, key); !equal(h, []message.Outcome{message.Changed, message.Retrying}) {
		t.Fatalf("ledger history %v, want [changed retrying]", h)
	}
	if st := w.outcomes(t)[key]; st.Code != message.CodeUnverified {
		t.Fatalf("a pending proof is retried as unverified: %+v", st)
	}
	resp, _ = w.consumer(&fakeDLQ{}).Handle(context.Background(), eventN(t, 2, m))
	if len(resp.BatchItemFailures) != 0 {
		t.Fatalf("redelivery failures %v", resp.BatchItemFailures)
	}
	if st := w.outcomes(t)[key]; st.Outcome != message.Already || st.Verified == nil || !*st.Verified {
		t.Fatalf("after the redelivery: %+v, want already, verified", st)
	}
}
