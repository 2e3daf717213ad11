package consumer

import (
	"context"
	"testing"

	"github.com/revoke-dev/revoke/internal/simulator"
	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/queue"
)

// proofConsumer is a consumer whose read-backs travel as proof messages
// through sender (a fresh one is a fresh process: nothing in memory).
func (w *world) proofConsumer(sender queue.Sender) *Consumer {
	c := w.consumer(&fakeDLQ{})
	cfg := *w.cfg
	cfg.QueueURL = "queue"
	c.Config, c.Proofs = &cfg, sender
	return c
}

// proofs decodes the proof messages sent.
func proofs(t *testing.T, q *fakeDLQ) []message.Message {
	t.Helper()
	q.mu.Lock()
	defer q.mu.Unlock()
	var out []message.Message
	for _, o := range q.sent {
		m, err := message.Decode(o.Body)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, *m)
	}
	return out
}

// TestChangedThenProven: a change the provider accepted is recorded at once
// as changed, not done, and its proof is queued; the proof message,
// handled by another process, reads the account back and makes it done
// (verified). Mendix cannot be read: done at once. Fails on the old code,
// which made the read-back inside the change's invocation and had no
// changed state.
func TestChangedThenProven(t *testing.T) {
	tests := []struct {
		name, conn, prov, id string
		wantChanged          bool
	}{
		{"journeyapps", "field-app", "journeyapps", "ja-1", true},
		{"backendless", "crm", "backendless", "BL-1", true},
		{"scim", "wiki", "scim", "sc-1", true},
		{"mendix cannot be read", "mendix", "mendix", "6f1e7f5e-0001-4000-8000-000000000001", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, simulator.Options{})
			w.Sim(tt.conn).Add(simulator.User{ID: tt.id, Email: "p@example.com"})
			m := msg(tt.conn, tt.prov, tt.id, "")
			key := m.Target().Key()
			q := &fakeDLQ{}
			resp, _ := w.proofConsumer(q).Handle(context.Background(), event(t, m))
			if len(resp.BatchItemFailures) != 0 {
				t.Fatalf("failures %v", resp.BatchItemFailures)
			}
			if u, _ := w.Sim(tt.conn).User(tt.id); !u.Disabled {
				t.Fatal("the change was not made")
			}
			st := w.outcomes(t)[key]
			ps := proofs(t, q)
			if !tt.wantChanged {
				if st.Outcome != message.Done || len(ps) != 0 {
					t.Fatalf("ledger %+v, %d proofs; want done and none", st, len(ps))
				}
				return
			}
			if st.Outcome != message.Changed || st.Verified != nil {
				t.Fatalf("after the change the ledger says %+v, want changed, not verified", st)
			}
			if len(ps) != 1 || len(ps[0].Proof) != 1 || ps[0].Proof[0] != tt.id || ps[0].ProofOf != message.Done {
				t.Fatalf("proof messages %+v", ps)
			}
			resp, _ = w.proofConsumer(&fakeDLQ{}).Handle(context.Background(), event(t, ps[0]))
			if len(resp.BatchItemFailures) != 0 {
				t.Fatalf("proof failures %v", resp.BatchItemFailures)
			}
			if st := w.outcomes(t)[key]; st.Outcome != message.Done || st.Verified == nil || !*st.Verified {
				t.Fatalf("after the proof the ledger says %+v, want done, verified", st)
			}
		})
	}
}

// TestPendingProofSurvivesACrash: the function stops after the change and
// before its proof is safely queued (here: the send fails). The change
// message is kept (a batch item failure), the ledger already says changed,
// and the redelivery, in a new process, re-applies the change (already)
// and queues the proof, which proves it.
func TestPendingProofSurvivesACrash(t *testing.T) {
	w := newWorld(t, simulator.Options{})
	w.BL.Add(simulator.User{ID: "BL-1"})
	m := msg("crm", "backendless", "BL-1", "")
	key := m.Target().Key()
	resp, _ := w.proofConsumer(&fakeDLQ{fail: true}).Handle(context.Background(), event(t, m))
	if f := failures(resp); !f["m0"] {
		t.Fatalf("the change message must stay in the queue until its proof is: %v", resp.BatchItemFailures)
	}
	if st := w.outcomes(t)[key]; st.Outcome != message.Changed {
		t.Fatalf("ledger %+v, want changed (the change was made)", st)
	}
	q := &fakeDLQ{}
	resp, _ = w.proofConsumer(q).Handle(context.Background(), eventN(t, 2, m))
	ps := proofs(t, q)
	if len(resp.BatchItemFailures) != 0 || len(ps) != 1 || ps[0].ProofOf != message.Already {
		t.Fatalf("redelivery: failures %v, proofs %+v", resp.BatchItemFailures, ps)
	}
	if resp, _ := w.proofConsumer(&fakeDLQ{}).Handle(context.Background(), event(t, ps[0])); len(resp.BatchItemFailures) != 0 {
		t.Fatalf("proof failures %v", resp.BatchItemFailures)
	}
	if st := w.outcomes(t)[key]; st.Outcome != message.Already || st.Verified == nil || !*st.Verified {
		t.Fatalf("after the proof: %+v, want already, verified", st)
	}
}

// TestProofThatDisagreesIsUnverified: a provider that answers success and
// changes nothing leaves the target changed in the ledger while its proof
// is retried as unverified.
func TestProofThatDisagreesIsUnverified(t *testing.T) {
	w := newWorld(t, simulator.Options{})
	w.JA.Add(simulator.User{ID: "ja-1"})
	w.JA.SetOptions(simulator.Options{IgnoreChanges: true})
	m := msg("field-app", "journeyapps", "ja-1", "")
	q := &fakeDLQ{}
	if resp, _ := w.proofConsumer(q).Handle(context.Background(), event(t, m)); len(resp.BatchItemFailures) != 0 {
		t.Fatalf("failures %v", resp.BatchItemFailures)
	}
	ps := proofs(t, q)
	if len(ps) != 1 {
		t.Fatalf("proofs %+v; ledger %+v", ps, w.outcomes(t))
	}
	resp, _ := w.proofConsumer(&fakeDLQ{}).Handle(context.Background(), event(t, ps[0]))
	if f := failures(resp); !f["m0"] {
		t.Fatalf("an unverified proof must be retried: %v", resp.BatchItemFailures)
	}
	st := w.outcomes(t)[m.Target().Key()]
	if st.Outcome != message.Changed {
		t.Fatalf("ledger %+v: a proof being retried leaves the target changed", st)
	}
}
