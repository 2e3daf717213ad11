package sweep

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/revoke-dev/revoke/internal/simulator"
	"github.com/revoke-dev/revoke/pkg/ledger"
	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/provider/registry"
)

// peakStore samples the live heap (after a GC) at every page the ledger
// reads: the most the reader held between pages.
type peakStore struct {
	ledger.Store
	peak uint64
}

func (p *peakStore) Query(ctx context.Context, q ledger.Query) (ledger.Page, error) {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	p.peak = max(p.peak, ms.HeapAlloc)
	return p.Store.Query(ctx, q)
}

// The backstop holds the unqueued part of a request, not its partition: a
// 10,000-target request with 10 targets left unqueued (its other targets
// queued, each with two attempts) is re-queued with at most 4 MiB more
// live heap than before the run. (Before: it loaded every target and
// attempt, 8.8 MiB more here and tens of MiB for the sweep's own
// 50,000-target requests, in a 128 MB function that re-ran it every 5
// minutes.)
func TestBackstopMemoryIsTheUnqueuedPart(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 30,000-item request")
	}
	const total, unqueued = 10_000, 10
	e := newEnv(t, registry.Builtin(), simulator.FleetConnections())
	ctx := context.Background()
	r := ledger.Request{ID: message.NewID(), Action: message.Revoke, Source: message.SourceSweep, Actor: "sweep", RequestedAt: e.clock.Now()}
	ts := make([]ledger.Target, total)
	for i := range ts {
		ts[i] = ledger.TargetOf(message.Target{Connection: "crm", Provider: "backendless", UserID: fmt.Sprintf("BL-%05d", i)})
	}
	if err := e.ledger.CreateRequest(ctx, r, ts); err != nil {
		t.Fatal(err)
	}
	if err := e.ledger.MarkQueued(ctx, r, ts[unqueued:], false); err != nil {
		t.Fatal(err)
	}
	var as []ledger.Attempt
	for i, tg := range ts[unqueued:] {
		for k := 1; k <= 2; k++ {
			as = append(as, ledger.Attempt{RequestID: r.ID, Key: tg.Key, MessageID: fmt.Sprintf("m-%d-%d", i, k), Outcome: message.Done,
				Message: "a provider answer kept with the attempt, as long as a real one", Receive: k, At: e.clock.Now(), RequestedAt: r.RequestedAt})
		}
	}
	if err := e.ledger.RecordAttempts(ctx, as); err != nil {
		t.Fatal(err)
	}
	as = nil
	e.clock.Add(time.Hour)
	ps := &peakStore{Store: e.ledger.Store}
	e.ledger.Store = ps
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	res := e.run(t, `{"backstop_only": true}`)
	if res.Requeued != unqueued || !res.Complete {
		t.Fatalf("%+v", res)
	}
	grew := int64(ps.peak) - int64(before.HeapAlloc)
	t.Logf("the backstop held %.1f MiB more than before the run", float64(grew)/(1<<20))
	if grew > 4<<20 {
		t.Fatal("the backstop held more than the unqueued part")
	}
}
