package ledger_test

import (
	"encoding/json"
	"testing"

	"github.com/revoke-dev/revoke/internal/storetest"
	"github.com/revoke-dev/revoke/pkg/ledger"
	"github.com/revoke-dev/revoke/pkg/message"
)

// An attempt whose text is not valid UTF-8 (a provider's error body in
// Latin-1, a cut rune) is stored as JSON, which turns each bad byte into
// U+FFFD: its hash is that of the attempt as it reads back, so the chain
// verifies from the status API and from an export, with no false alarm.
func TestChainOfInvalidUTF8(t *testing.T) {
	stores(t, func(t *testing.T, l *ledger.Ledger, clock *storetest.Clock) {
		now := clock.Now()
		tg := target("wiki", "u1", "")
		r := request(message.NewID(), now, tg)
		if err := l.CreateRequest(ctx, r, []ledger.Target{tg}); err != nil {
			t.Fatal(err)
		}
		bad := attempt(r, tg, message.Failed, 1, 0, now)
		bad.Message, bad.Code = "upstream said: caf\xe9 \xff\xfe", "http_500"
		if err := l.RecordAttempts(ctx, []ledger.Attempt{bad, attempt(r, tg, message.Done, 2, 0, now)}); err != nil {
			t.Fatal(err)
		}
		cs := chains(t, l, r.ID)
		if len(cs) != 1 || len(cs[0].Attempts) != 2 {
			t.Fatalf("chains %+v, want one of two attempts", cs)
		}
		verifyAll(t, cs)
		// As revokectl reads an export: one JSON line a chain.
		b, err := json.Marshal(cs[0])
		if err != nil {
			t.Fatal(err)
		}
		var back ledger.TargetChain
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		if p := ledger.VerifyChain(back); p != nil {
			t.Errorf("the export of an intact chain: %v", p)
		}
	})
}
