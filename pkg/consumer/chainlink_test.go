package consumer

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/revoke-dev/revoke/internal/simulator"
	"github.com/revoke-dev/revoke/pkg/audit"
	"github.com/revoke-dev/revoke/pkg/ledger"
)

// Each audit line carries the outcome's link in its target's hash chain
// (chain_seq, chain_hash): the logs keep a copy of every link, so a chain
// rewritten in the ledger later no longer matches them. A redelivery is the
// next link. (Before: no chain, nothing to compare.)
func TestAuditLineCarriesChainLink(t *testing.T) {
	w := newWorld(t, simulator.Options{})
	w.JA.Add(simulator.User{ID: "ja-chain"})
	body := msg("field-app", "journeyapps", "ja-chain", "")
	var got []audit.Record
	c := w.consumer(&fakeDLQ{})
	c.OnOutcome = func(r audit.Record) { got = append(got, r) }
	for receive := 1; receive <= 2; receive++ {
		if resp, _ := c.Handle(context.Background(), eventN(t, receive, body)); len(resp.BatchItemFailures) != 0 {
			t.Fatal(resp.BatchItemFailures)
		}
	}
	// Each delivery records the change (changed, before its read-back)
	// and then the outcome: links 1 to 4, each on its audit line (the
	// changed lines had none: links 1 and 3 were in no log).
	var seqs []int
	hashes := map[string]bool{}
	for _, r := range got {
		seqs = append(seqs, r.ChainSeq)
		hashes[r.ChainHash] = true
	}
	if !slices.Equal(seqs, []int{1, 2, 3, 4}) || len(hashes) != 4 || hashes[""] {
		t.Fatalf("audit records %+v, want links 1 to 4, each its own hash", got)
	}
	got = []audit.Record{got[1], got[3]}
	head, err := w.lstore.Get(context.Background(), ledger.Key{PK: "REQ#" + testRequest, SK: "T#" + body.Key() + "#A!"})
	if err != nil || head == nil {
		t.Fatalf("chain head: %v %v", head, err)
	}
	var h ledger.ChainHead
	if err := json.Unmarshal(head.Data, &h); err != nil || h.Seq != 4 || h.Hash != got[1].ChainHash {
		t.Fatalf("head %+v, the last audit line says %d %s", h, got[1].ChainSeq, got[1].ChainHash)
	}
	if !strings.Contains(w.log.String(), `"chain_hash":"`+got[1].ChainHash+`"`) {
		t.Error("the audit log line lacks chain_hash")
	}
}
