package bench

import (
	"context"
	"fmt"
	"runtime"
	"time"

	"github.com/revoke-dev/revoke/internal/embedded"
)

// SCIMSync is the SCIM scenario's result: an identity provider's initial
// sync through the front door.
type SCIMSync struct {
	Users       int
	Wall        time.Duration
	PerSecond   float64
	AllocsPer   float64 // heap allocations per POST
	BytesPer    float64 // heap bytes per POST
	StoreCalls  int     // DynamoDB calls for the whole sync
	Deactivated Percentiles
}

// RunSCIMSync POSTs n users through the API handler (SCIM front door,
// in-memory ledger), one after another as Entra ID's provisioning cycle
// does, and measures calls per second and the handler's cost per call.
func RunSCIMSync(ctx context.Context, n int) (*SCIMSync, error) {
	p, err := embedded.Start(embedded.Options{})
	if err != nil {
		return nil, err
	}
	defer p.Close()
	res := &SCIMSync{Users: n}
	runtime.GC()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	calls := p.LedgerStore.Calls.Load()
	start := time.Now()
	for i := range n {
		email := fmt.Sprintf("person%05d@example.com", i)
		r := p.Call(ctx, "POST", "/scim/v2/Users", fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":%q,"externalId":"%08x","active":true,"name":{"givenName":"Person","familyName":"%05d"},"emails":[{"value":%q,"type":"work","primary":true}]}`, email, i, i, email))
		if r.Status != 201 {
			return nil, fmt.Errorf("scim sync: POST %d answered %d: %s", i, r.Status, r.Body)
		}
	}
	res.Wall = time.Since(start)
	runtime.ReadMemStats(&m1)
	res.PerSecond = float64(n) / res.Wall.Seconds()
	res.AllocsPer = float64(m1.Mallocs-m0.Mallocs) / float64(n)
	res.BytesPer = float64(m1.TotalAlloc-m0.TotalAlloc) / float64(n)
	res.StoreCalls = int(p.LedgerStore.Calls.Load() - calls)
	if r := p.Call(ctx, "GET", "/scim/v2/Users?startIndex=1&count=1", ""); r.Status != 200 {
		return nil, fmt.Errorf("scim sync: list answered %d", r.Status)
	}
	return res, nil
}
