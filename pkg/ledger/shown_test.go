package ledger_test

import (
	"strings"
	"testing"
	"time"

	"github.com/revoke-dev/revoke/internal/storetest"
	"github.com/revoke-dev/revoke/pkg/ledger"
	"github.com/revoke-dev/revoke/pkg/message"
)

// What a provider shows is bounded before it is stored, and recorded as
// shown, never as a person's identity: a 5,010-byte address does not make
// DynamoDB refuse the outcome batch (it is not kept), and a provider that
// shows someone's address cannot write into that person's history.
// (Before: the address became an index key; moto refused the batch, and
// the history of the shown address listed the request.)
func TestShownAddressIsBounded(t *testing.T) {
	stores(t, func(t *testing.T, l *ledger.Ledger, clock *storetest.Clock) {
		now := clock.Now()
		var ts []ledger.Target
		for i := range 10 {
			ts = append(ts, target("crm", "BL-"+string(rune('a'+i)), ""))
		}
		r := request(message.NewID(), now, ts...)
		if err := l.CreateRequest(ctx, r, ts); err != nil {
			t.Fatal(err)
		}
		var as []ledger.Attempt
		for i, tg := range ts {
			a := attempt(r, tg, message.Done, 1, 0, now.Add(time.Second))
			switch i {
			case 3:
				a.Shown = strings.Repeat("x", 5000) + "@corp.example" // 5,013 bytes
			case 4:
				a.Shown = "ceo@corp.example" // someone else's address
			case 5:
				a.Shown = "evil\u202egro.elpmaxe@corp.example"
			}
			as = append(as, a)
		}
		if err := l.RecordAttempts(ctx, as); err != nil {
			t.Fatal(err)
		}
		rec, err := l.Load(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		done := 0
		for _, st := range rec.Statuses() {
			if st.Outcome == message.Done {
				done++
			}
			switch st.UserID {
			case "BL-d":
				if st.Shown != "" {
					t.Errorf("a 5,013-byte address was kept")
				}
			case "BL-e":
				if st.Shown != "ceo@corp.example" {
					t.Errorf("a valid shown address was not kept: %q", st.Shown)
				}
			}
		}
		if done != 10 {
			t.Fatalf("%d of 10 outcomes recorded", done)
		}
		if page, _, err := l.History(ctx, "ceo@corp.example", "", 10); err != nil || len(page) != 0 {
			t.Fatalf("a provider wrote into another person's history: %v %v", page, err)
		}
	})
}
