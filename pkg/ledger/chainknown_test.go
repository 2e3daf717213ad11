package ledger_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/revoke-dev/revoke/internal/inmem"
	"github.com/revoke-dev/revoke/internal/storetest"
	"github.com/revoke-dev/revoke/pkg/ledger"
	"github.com/revoke-dev/revoke/pkg/message"
)

// A second write in one invocation (a target's outcome after its changed)
// reuses the heads the first returned: 1000 targets take 20 calls, not 30.
// A known head another writer moved since costs a re-read, never a fork:
// every chain still verifies.
func TestAppendAttemptsKnownHeads(t *testing.T) {
	tests := []struct {
		name  string
		stale bool // another consumer appends to the first target in between
		calls int64
	}{
		{name: "heads unchanged", calls: 20},
		{name: "one head moved", stale: true, calls: 20 + 3}, // its transaction again: a head read, the drop check, the write
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clock := storetest.NewClock(time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC))
			st := inmem.NewStore(clock.Now)
			l := ledger.New(st, 400*24*time.Hour)
			now := clock.Now()
			var tgs []ledger.Target
			for i := range 1000 {
				tgs = append(tgs, target("wiki", fmt.Sprintf("u%d", i), ""))
			}
			r := request(message.NewID(), now, tgs...)
			if err := l.CreateRequest(ctx, r, tgs); err != nil {
				t.Fatal(err)
			}
			var changed, done []ledger.Attempt
			for _, tg := range tgs {
				changed = append(changed, attempt(r, tg, message.Changed, 1, 0, now))
				done = append(done, attempt(r, tg, message.Done, 1, 0, now.Add(time.Second)))
			}
			links, err := l.AppendAttempts(ctx, changed)
			if err != nil {
				t.Fatal(err)
			}
			known := make([]ledger.Known, len(links))
			for i, ln := range links {
				known[i] = ledger.Known{RequestID: r.ID, Key: changed[i].Key, Link: ln}
			}
			if tc.stale {
				if err := l.RecordAttempts(ctx, []ledger.Attempt{attempt(r, target("wiki", "u0", ""), message.Retrying, 2, 0, now)}); err != nil {
					t.Fatal(err)
				}
			}
			before := st.Calls.Load()
			if _, err := l.AppendAttempts(ctx, done, known...); err != nil {
				t.Fatal(err)
			}
			if got := st.Calls.Load() - before; got != tc.calls {
				t.Errorf("%d store calls for 1000 targets with known heads, want %d", got, tc.calls)
			}
			cs := chains(t, l, r.ID)
			verifyAll(t, cs)
			want := map[string]int{"u:u0#wiki": 2}
			if tc.stale {
				want["u:u0#wiki"] = 3
			}
			for _, c := range cs {
				if w, ok := want[c.Key]; ok && (c.Head == nil || c.Head.Seq != w || len(c.Attempts) != w) {
					t.Errorf("%s: head %+v, %d attempts, want %d", c.Key, c.Head, len(c.Attempts), w)
				}
			}
		})
	}
}
