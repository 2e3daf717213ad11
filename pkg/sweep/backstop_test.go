package sweep

import (
	"context"
	"testing"
	"time"

	"github.com/revoke-dev/revoke/internal/inmem"
	"github.com/revoke-dev/revoke/internal/simulator"
	"github.com/revoke-dev/revoke/pkg/directory"
	"github.com/revoke-dev/revoke/pkg/ledger"
	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/provider/registry"
)

// The always-on rule's input {"backstop_only": true} runs the unqueued
// backstop and nothing else: one ledger query when nothing is unqueued,
// the DLQ and the directory untouched (an old exhausted message stays); a request left unqueued 5 minutes is
// queued. (Before: backstop_only was refused as an unknown field, and the
// backstop ran only inside the scheduled sweep, off unless SweepEnabled.)
func TestBackstopOnly(t *testing.T) {
	for _, tc := range []struct {
		name         string
		unqueued     bool
		wantRequeued int
		wantLedger   int64 // ledger store calls
	}{
		{"nothing unqueued", false, 0, 1},
		{"a request left unqueued", true, 2, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, registry.Builtin(), simulator.FleetConnections())
			e.dir.users = []directory.User{{ID: "u1", Emails: []string{"a@example.com"}}}
			e.seedDLQ(t, body(t, "BL-1"), map[string]string{message.AttrErrorCode: "exhausted"})
			if tc.unqueued {
				r := ledger.Request{ID: message.NewID(), Action: message.Revoke, Source: message.SourceAPI, Actor: "token:x", RequestedAt: e.clock.Now()}
				ts := []ledger.Target{ledger.TargetOf(message.Target{Connection: "crm", Provider: "backendless", UserID: "BL-1"}),
					ledger.TargetOf(message.Target{Connection: "wiki", Provider: "scim", UserID: "sc-1"})}
				if err := e.ledger.CreateRequest(context.Background(), r, ts); err != nil {
					t.Fatal(err)
				}
			}
			e.clock.Add(time.Hour)
			store := e.ledger.Store.(*inmem.Store)
			ledgerBefore := store.Calls.Load()
			res := e.run(t, `{"backstop_only": true}`)
			if res.Requeued != tc.wantRequeued || !res.Complete || !res.BackstopOnly || res.Redrive != nil || len(res.Snapshots) != 0 {
				t.Fatalf("%+v", res)
			}
			if calls := store.Calls.Load() - ledgerBefore; tc.wantLedger >= 0 && calls != tc.wantLedger {
				t.Fatalf("%d ledger calls, want %d", calls, tc.wantLedger)
			}
			if len(e.q.Peek(dlqURL)) != 1 || len(e.q.Peek(queueURL)) != tc.wantRequeued {
				t.Fatalf("dlq %d, queue %d", len(e.q.Peek(dlqURL)), len(e.q.Peek(queueURL)))
			}
			if u, _ := e.ledger.DirectoryUser(context.Background(), "identitystore:d-1234567890", "u1"); u != nil {
				t.Fatal("the backstop refreshed a snapshot")
			}
		})
	}
	for _, bad := range []string{`{"backstop_only":true,"dry_run":true}`, `{"backstop_only":true,"inactive":[]}`, `{"backstop_only":true,"redrive":{}}`} {
		if _, err := ParseInput([]byte(bad)); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}
