package ledger_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/revoke-dev/revoke/internal/storetest"
	"github.com/revoke-dev/revoke/pkg/ledger"
	"github.com/revoke-dev/revoke/pkg/message"
)

// One scan over a connection's marks answers, for accounts asked in
// user-id order, what Revoked answers one query each: a history spanning
// two pages of marks (a restore on the second) is folded whole, an id that
// is a prefix of another is kept apart, and an account asked before the
// first mark's is not revoked.
func TestMarkScanAgreesWithRevoked(t *testing.T) {
	stores(t, func(t *testing.T, l *ledger.Ledger, clock *storetest.Clock) {
		now := clock.Now()
		mark := func(id string, a message.Action, at time.Time) ledger.Mark {
			return ledger.Mark{Connection: "crm", UserID: id, Action: a, RequestID: message.NewID(), Key: "u:" + id + "#crm", At: at}
		}
		var marks []ledger.Mark
		for i := range 1200 {
			marks = append(marks, mark(fmt.Sprintf("b%04d", i), message.Revoke, now))
		}
		for i := range 6 { // spans the first page's end: the last is a restore
			marks = append(marks, mark("b0997x", message.Revoke, now.Add(time.Duration(i)*time.Minute)))
		}
		marks = append(marks, mark("b0997x", message.Restore, now.Add(time.Hour)),
			mark("b0998", message.Restore, now.Add(time.Hour)), // b0998's restore, after its revoke
			mark("b0999-a", message.Revoke, now))               // shares b0999's prefix
		if err := l.PutMarks(ctx, marks); err != nil {
			t.Fatal(err)
		}
		scan := l.ScanMarks("crm")
		for _, id := range []string{"a", "b0000", "b0500", "b0997", "b0997x", "b0998", "b0999", "b0999-a", "b1199", "c"} {
			got, err := scan.Revoked(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			m, err := l.Revoked(ctx, "crm", id)
			if err != nil {
				t.Fatal(err)
			}
			if got != (m != nil) {
				t.Errorf("%s: scan says revoked %v, Revoked says %v", id, got, m != nil)
			}
		}
		if _, err := scan.Revoked(ctx, "b0001"); err == nil {
			t.Error("an account asked out of order was answered")
		}
	})
}
