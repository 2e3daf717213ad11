package api

import (
	"encoding/json"
	"testing"

	"github.com/revoke-dev/revoke/pkg/ledger"
)

// GET /revocations/{id}?format=chain pages every target's hash chain, and
// each verifies; the pages are bounded like the status pages (two ledger
// calls after the first). (Before: format=chain was a 400 and no chain
// existed.)
func TestStatusChainFormat(t *testing.T) {
	e := newEnv(t, nil)
	const n = 250
	id := bigRequest(t, e, n)
	seen, pages, cursor := 0, 0, ""
	for {
		r := httpReq("GET", "/revocations/"+id, "", nil)
		r.QueryStringParameters = map[string]string{"format": "chain", "limit": "1000"}
		if cursor != "" {
			r.QueryStringParameters["cursor"] = cursor
		}
		before := e.store.Calls.Load()
		resp, _ := e.do(t, r)
		// The first page also counts the whole request (the status
		// contract); every later one is two calls.
		if calls := e.store.Calls.Load() - before; resp.StatusCode != 200 || (pages > 0 && calls > 2) {
			t.Fatalf("page %d: %d, %d ledger calls", pages, resp.StatusCode, calls)
		}
		pages++
		var page struct {
			RequestID string               `json:"request_id"`
			Targets   int                  `json:"targets"`
			Chains    []ledger.TargetChain `json:"chains"`
			Next      *string              `json:"next"`
		}
		if err := json.Unmarshal([]byte(resp.Body), &page); err != nil || page.RequestID != id || page.Targets != n {
			t.Fatalf("page %d: %v %q", pages, err, page.RequestID)
		}
		for _, c := range page.Chains {
			if p := ledger.VerifyChain(c); p != nil || len(c.Attempts) != 1 {
				t.Fatalf("%s: %d attempts, %v", c.Key, len(c.Attempts), p)
			}
		}
		seen += len(page.Chains)
		if page.Next == nil {
			break
		}
		cursor = *page.Next
	}
	if seen != n || pages != 2 {
		t.Fatalf("%d chains in %d pages, want %d in 2 (200 a page at most)", seen, pages, n)
	}
}
