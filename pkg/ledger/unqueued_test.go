package ledger_test

import (
	"errors"
	"testing"
	"time"

	"github.com/revoke-dev/revoke/internal/storetest"
	"github.com/revoke-dev/revoke/pkg/ledger"
	"github.com/revoke-dev/revoke/pkg/message"
)

// LoadUnqueued keeps the request and only the targets never marked
// queued: no queued target and no attempt (what a repeat and the backstop
// queue, without holding the partition).
func TestLoadUnqueued(t *testing.T) {
	stores(t, func(t *testing.T, l *ledger.Ledger, clock *storetest.Clock) {
		a, b, c := target("crm", "BL-a", ""), target("crm", "BL-b", ""), target("crm", "BL-c", "")
		r := request(message.NewID(), clock.Now(), a, b, c)
		if err := l.CreateRequest(ctx, r, []ledger.Target{a, b, c}); err != nil {
			t.Fatal(err)
		}
		if err := l.MarkQueued(ctx, r, []ledger.Target{a, c}, false); err != nil {
			t.Fatal(err)
		}
		if err := l.RecordAttempts(ctx, []ledger.Attempt{attempt(r, a, message.Done, 1, 0, clock.Now().Add(time.Second))}); err != nil {
			t.Fatal(err)
		}
		rec, err := l.LoadUnqueued(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if rec.Request.ID != r.ID || len(rec.Targets) != 1 || rec.Targets[0].UserID != "BL-b" || len(rec.Attempts) != 0 || len(rec.Unqueued()) != 1 {
			t.Fatalf("%+v", rec)
		}
		if full, err := l.Load(ctx, r.ID); err != nil || len(full.Targets) != 3 || len(full.Attempts) != 1 {
			t.Fatalf("Load: %+v %v", full, err)
		}
		if _, err := l.LoadUnqueued(ctx, message.NewID()); !errors.Is(err, ledger.ErrNotFound) {
			t.Fatalf("unknown request: %v", err)
		}
	})
}
