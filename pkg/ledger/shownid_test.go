package ledger_test

import (
	"strings"
	"testing"
	"time"

	"github.com/revoke-dev/revoke/internal/storetest"
	"github.com/revoke-dev/revoke/pkg/ledger"
	"github.com/revoke-dev/revoke/pkg/message"
)

// The provider's account ids a target resolved to are evidence that
// reaches the status API, the CSV and logs: an id with a bidi control or a
// line break, or one longer than 256 bytes, stays named (the account was
// changed) but quoted in ASCII and cut, never as it is and never dropped.
// (Before: a bidi id was stored and shown as it is, and a 300-byte id
// disappeared from the evidence.)
func TestResolvedIDsFitForEvidence(t *testing.T) {
	for _, tc := range []struct {
		name, id, want string
	}{
		{"plain id", "BL-1", "BL-1"},
		{"bidi control", "evil\u202edi", `"evil\u202edi"`},
		{"line break", "a\nb", `"a\nb"`},
		{"oversized", strings.Repeat("x", 300), `"` + strings.Repeat("x", 40) + `"...`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stores(t, func(t *testing.T, l *ledger.Ledger, clock *storetest.Clock) {
				tg := target("crm", "", "amy@corp.example")
				r := request(message.NewID(), clock.Now(), tg)
				if err := l.CreateRequest(ctx, r, []ledger.Target{tg}); err != nil {
					t.Fatal(err)
				}
				a := attempt(r, tg, message.Done, 1, 0, clock.Now().Add(time.Second))
				a.ResolvedIDs = []string{tc.id}
				if err := l.RecordAttempts(ctx, []ledger.Attempt{a}); err != nil {
					t.Fatal(err)
				}
				rec, err := l.Load(ctx, r.ID)
				if err != nil {
					t.Fatal(err)
				}
				st := rec.Statuses()
				if len(st) != 1 || len(st[0].ResolvedIDs) != 1 || st[0].ResolvedIDs[0] != tc.want {
					t.Fatalf("%+v", st)
				}
				if message.CheckText(st[0].ResolvedIDs[0]) != nil || len(st[0].ResolvedIDs[0]) > 256 {
					t.Fatalf("unfit for the evidence: %q", st[0].ResolvedIDs[0])
				}
			})
		})
	}
}
