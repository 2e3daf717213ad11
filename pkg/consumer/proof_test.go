package consumer

import (
	"context"
	"encoding/json"
	"sort"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/revoke-dev/revoke/internal/simulator"
	"github.com/revoke-dev/revoke/pkg/audit"
	"github.com/revoke-dev/revoke/pkg/ledger"
	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/queue"
)

// proofConsumer is a consumer that never has time left for a read-back in
// the invocation, so every read-back travels as a proof message through
// sender (a fresh consumer is a fresh process: nothing in memory).
func (w *world) proofConsumer(sender queue.Sender) *Consumer {
	c := w.consumer(&fakeDLQ{})
	cfg := *w.cfg
	cfg.QueueURL = "queue"
	c.Config, c.Proofs, c.ProofTime = &cfg, sender, 24*time.Hour
	return c
}

// history is every outcome the ledger holds for a target, in write order.
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

// TestChangedRecordedBeforeItsProof: with time left in the invocation, a
// change is recorded as changed before its read-back, and the read-back,
// made in the same invocation, makes it done. (Before: nothing was
// recorded until the read-back was over, and no changed state existed.)
func TestChangedRecordedBeforeItsProof(t *testing.T) {
	w := newWorld(t, simulator.Options{})
	w.SC.Add(simulator.User{ID: "sc-1"})
	m := msg("wiki", "scim", "sc-1", "")
	c := w.consumer(&fakeDLQ{})
	var seen []message.Outcome
	c.OnOutcome = func(r audit.Record) { seen = append(seen, r.Outcome) }
	if resp, _ := c.Handle(context.Background(), event(t, m)); len(resp.BatchItemFailures) != 0 {
		t.Fatalf("failures %v", resp.BatchItemFailures)
	}
	if h := w.history(t, m.Key()); len(h) != 2 || h[0] != message.Changed || h[1] != message.Done {
		t.Fatalf("ledger history %v, want [changed done]", h)
	}
	if len(seen) != 2 || seen[0] != message.Changed || seen[1] != message.Done {
		t.Fatalf("audit outcomes %v, want [changed done]", seen)
	}
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

// TestChangedThenProven: a change the provider accepted, with no time left
// in the invocation for its read-back, is recorded as changed, not done,
// and its proof is queued; the proof message, handled by another process,
// reads the account back and makes it done (verified). Mendix cannot be
// read: done at once. (Before: no changed state, no proof message.)
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
			key := m.Key()
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
	key := m.Key()
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
// changes nothing: the target is changed, then its proof message finds it
// unchanged and is retried as unverified.
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
	st := w.outcomes(t)[m.Key()]
	if st.Outcome != message.Retrying || st.Code != message.CodeUnverified {
		t.Fatalf("ledger %+v: a proof that disagreed is retrying, unverified", st)
	}
}

// TestProofThatDisagreesMakesTheChangeAgain: a provider answered the change
// with success and changed nothing (once). The proof message that finds the
// account unchanged makes the change again and stays unverified, so its
// next delivery proves it. (Before: a proof message only re-read, every
// delivery found the account active, and the revocation went to the DLQ
// unmade.)
func TestProofThatDisagreesMakesTheChangeAgain(t *testing.T) {
	tests := []struct{ name, conn, prov, id string }{
		{"journeyapps", "field-app", "journeyapps", "ja-1"},
		{"backendless", "crm", "backendless", "BL-1"},
		// SCIM is not here: its PATCH answers the user as it is, so a change
		// that did nothing is seen at once, before any proof.
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, simulator.Options{})
			sim := w.Sim(tt.conn)
			sim.Add(simulator.User{ID: tt.id, Email: "p@example.com"})
			sim.SetOptions(simulator.Options{IgnoreChanges: true})
			m := msg(tt.conn, tt.prov, tt.id, "")
			q := &fakeDLQ{}
			if resp, _ := w.proofConsumer(q).Handle(context.Background(), event(t, m)); len(resp.BatchItemFailures) != 0 {
				t.Fatalf("failures %v", resp.BatchItemFailures)
			}
			ps := proofs(t, q)
			if len(ps) != 1 {
				t.Fatalf("proofs %+v", ps)
			}
			sim.SetOptions(simulator.Options{}) // the provider honours changes again
			resp, _ := w.proofConsumer(&fakeDLQ{}).Handle(context.Background(), event(t, ps[0]))
			if f := failures(resp); !f["m0"] {
				t.Fatalf("a proof that disagreed must be retried: %v", resp.BatchItemFailures)
			}
			if u, _ := sim.User(tt.id); !u.Disabled {
				t.Fatal("the proof that found the account active did not make the change again")
			}
			if st := w.outcomes(t)[m.Key()]; st.Outcome != message.Retrying || st.Code != message.CodeUnverified {
				t.Fatalf("ledger %+v: retrying, unverified until a read shows it", st)
			}
			resp, _ = w.proofConsumer(&fakeDLQ{}).Handle(context.Background(), eventN(t, 2, ps[0]))
			if len(resp.BatchItemFailures) != 0 {
				t.Fatalf("redelivered proof failures %v", resp.BatchItemFailures)
			}
			if st := w.outcomes(t)[m.Key()]; st.Outcome != message.Done || st.Verified == nil || !*st.Verified {
				t.Fatalf("ledger %+v, want done, verified", st)
			}
		})
	}
}

// TestProofOfARedrivenChangeSettlesIt: a change exhausted on its last
// delivery is re-driven by the sweep (redrive_count 1), made, and proven
// by a proof message. The proof message carries the change's
// redrive_count, so the ledger orders its done after the exhausted
// failure. (Before: the proof message went out with no attributes, its
// done counted as re-drive 0, delivery 1, "before" the failure on
// delivery 5, and the target showed failed for ever although proven
// revoked.)
func TestProofOfARedrivenChangeSettlesIt(t *testing.T) {
	w := newWorld(t, simulator.Options{})
	w.BL.Add(simulator.User{ID: "BL-1"})
	m := msg("crm", "backendless", "BL-1", "")
	w.BL.FailNext(503, 503, 503, 503) // every attempt of the one call (backendless.Profile)
	resp, _ := w.proofConsumer(&fakeDLQ{}).Handle(context.Background(), eventN(t, w.cfg.MaxReceiveCount, m))
	if len(resp.BatchItemFailures) != 0 {
		t.Fatalf("last delivery: failures %v", resp.BatchItemFailures)
	}
	if st := w.outcomes(t)[m.Key()]; st.Outcome != message.Failed || st.Code != message.CodeExhausted {
		t.Fatalf("ledger %+v, want failed, exhausted", st)
	}
	redriven := event(t, m)
	redriven.Records[0].MessageAttributes = map[string]events.SQSMessageAttribute{
		message.AttrRedriveCount: {DataType: "Number", StringValue: aws.String("1")},
	}
	q := &fakeDLQ{}
	if resp, _ := w.proofConsumer(q).Handle(context.Background(), redriven); len(resp.BatchItemFailures) != 0 {
		t.Fatalf("re-driven change: failures %v", resp.BatchItemFailures)
	}
	ps := proofs(t, q)
	if len(ps) != 1 {
		t.Fatalf("proofs %+v", ps)
	}
	proof := event(t, ps[0])
	proof.Records[0].MessageAttributes = map[string]events.SQSMessageAttribute{}
	for k, v := range q.sent[0].Attributes {
		proof.Records[0].MessageAttributes[k] = events.SQSMessageAttribute{DataType: "Number", StringValue: aws.String(v)}
	}
	if resp, _ := w.proofConsumer(&fakeDLQ{}).Handle(context.Background(), proof); len(resp.BatchItemFailures) != 0 {
		t.Fatalf("proof failures %v", resp.BatchItemFailures)
	}
	if st := w.outcomes(t)[m.Key()]; st.Outcome != message.Done || st.Verified == nil || !*st.Verified {
		t.Fatalf("ledger %+v, want done, verified", st)
	}
}

// TestProofUnsentOnTheLastDelivery: a change made on its last delivery
// whose proof message cannot be sent goes to the DLQ from the consumer,
// exhausted with last_error_code unavailable, like any target still
// failing then. (Before: it was left retrying, SQS's own redrive moved it
// with no reason, as after a crash.)
func TestProofUnsentOnTheLastDelivery(t *testing.T) {
	w := newWorld(t, simulator.Options{})
	w.BL.Add(simulator.User{ID: "BL-1"})
	m := msg("crm", "backendless", "BL-1", "")
	dlq := &fakeDLQ{}
	c := w.proofConsumer(&fakeDLQ{fail: true})
	c.DLQ = dlq
	resp, _ := c.Handle(context.Background(), eventN(t, w.cfg.MaxReceiveCount, m))
	if len(resp.BatchItemFailures) != 0 {
		t.Fatalf("failures %v: the consumer moves it itself", resp.BatchItemFailures)
	}
	if len(dlq.sent) != 1 || dlq.sent[0].Attributes[message.AttrErrorCode] != string(message.CodeExhausted) ||
		dlq.sent[0].Attributes[message.AttrLastErrorCode] != string(message.CodeUnavailable) {
		t.Fatalf("dlq %+v", dlq.sent)
	}
}

// TestProofsDoNotOutlastTheChanges: an invocation lasts as long as its
// change work. A read-back that fits beside another connection's slower
// changes is made at once; one with no change work left beside it travels
// as a proof message, so the next batch's changes never wait for it.
func TestProofsDoNotOutlastTheChanges(t *testing.T) {
	tests := []struct {
		name       string
		slowMendix bool // a Mendix change taking 400 ms in the same batch
		wantProofs int  // SCIM proofs queued
		wantSCIM   message.Outcome
	}{
		{"alone: the proof is queued", false, 1, message.Changed},
		{"beside slower changes: proven at once", true, 0, message.Done},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, simulator.Options{})
			w.SC.Add(simulator.User{ID: "sc-1"})
			bodies := []any{msg("wiki", "scim", "sc-1", "")}
			if tt.slowMendix {
				w.MX.SetOptions(simulator.Options{Latency: 400 * time.Millisecond})
				w.MX.Add(simulator.User{ID: "6f1e7f5e-0001-4000-8000-000000000001"})
				bodies = append(bodies, msg("mendix", "mendix", "6f1e7f5e-0001-4000-8000-000000000001", ""))
			}
			q := &fakeDLQ{}
			c := w.proofConsumer(q)
			c.ProofTime = 0 // the default: time is left
			if resp, _ := c.Handle(context.Background(), event(t, bodies...)); len(resp.BatchItemFailures) != 0 {
				t.Fatalf("failures %v", resp.BatchItemFailures)
			}
			if ps := proofs(t, q); len(ps) != tt.wantProofs {
				t.Fatalf("%d proof messages, want %d", len(ps), tt.wantProofs)
			}
			if st := w.outcomes(t)["u:sc-1#wiki"]; st.Outcome != tt.wantSCIM {
				t.Fatalf("scim target %+v, want %s", st, tt.wantSCIM)
			}
		})
	}
}

func TestPhase(t *testing.T) {
	p := newPhase(context.Background(), 2) // two connections
	p.add(1)                               // the first has two change groups
	p.done()
	p.done()
	if p.over().Err() != nil {
		t.Fatal("over with a connection still changing")
	}
	p.add(-1) // the second has none
	if p.over().Err() == nil {
		t.Fatal("not over when every change was made")
	}
}
