package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/revoke-dev/revoke/internal/embedded"
	"github.com/revoke-dev/revoke/internal/inmem"
	"github.com/revoke-dev/revoke/internal/simulator"
	"github.com/revoke-dev/revoke/pkg/directory"
	"github.com/revoke-dev/revoke/pkg/provider/backendless"
	"github.com/revoke-dev/revoke/pkg/provider/rest"
	"github.com/revoke-dev/revoke/pkg/sweep"
)

// Orphans is the orphan comparison scenario's result: a Backendless app of
// Accounts users listed page by page through the queue and the consumer,
// then compared in the sweep with a directory of People.
type Orphans struct {
	Accounts, People   int
	Rate               float64       // the connection's rate_per_second (the simulator's limit too)
	Pages              int           // listing requests the provider served
	Bound              time.Duration // pages ÷ (rate × rest.Headroom): the listing's own rate bound
	ListWall           time.Duration // from the listing's first message to its last page
	CompareWall        time.Duration // the sweep run that compared (its snapshot included)
	PeakAboveBase      uint64        // the comparing sweep's peak heap above the heap before it
	Baseline           uint64        // the heap before it (simulator, in-memory ledger and directory)
	LedgerCalls        int64         // store calls of the comparing sweep (one DynamoDB call each)
	Orphans, Want      int
	RateLimited        int // 429 / code 999 answers
	ListingInvocations int
}

// RunOrphans lists accounts Backendless users (pages of 100) at rate
// requests a second, against a directory of people addresses of which
// accounts-orphans belong to the accounts, and compares.
func RunOrphans(ctx context.Context, accounts, people, orphans int, rate float64) (*Orphans, error) {
	res := &Orphans{Accounts: accounts, People: people, Rate: rate, Want: orphans}
	dir := &inmem.Directory{}
	p, err := embedded.Start(embedded.Options{
		Sims:      map[string]simulator.Options{"backendless": {RatePerSecond: rate, Latency: 5 * time.Millisecond}},
		Rates:     map[string]float64{"backendless": rate},
		Directory: dir, Instances: 1, Window: 10 * time.Millisecond, Timeout: 60 * time.Second,
	})
	if err != nil {
		return nil, err
	}
	defer p.Close()
	users := make([]simulator.User, accounts)
	for i := range accounts {
		users[i] = simulator.User{ID: fmt.Sprintf("BL-%06d", i), Email: fmt.Sprintf("p%06d@example.com", i), LastActive: time.Now().Add(-time.Hour)}
	}
	p.BL.Add(users...)
	for i := range people {
		// The first accounts-orphans people own accounts; the rest do not.
		n := i
		if i >= accounts-orphans {
			n = accounts + i
		}
		dir.Put(embedded.Directory, directory.User{ID: fmt.Sprintf("u%06d", i), Emails: []string{fmt.Sprintf("P%06d@Example.com", n)}})
	}
	in := json.RawMessage(`{"orphans":{"connections":["crm"]}}`)
	if _, err := p.Sweep.Handle(ctx, in); err != nil { // snapshots the directory, queues the listing
		return nil, err
	}
	start := time.Now()
	before := p.Invocations()
	if err := p.Drain(ctx); err != nil {
		return nil, err
	}
	res.ListWall = time.Since(start)
	st := p.BL.Stats()
	res.Pages, res.RateLimited = st.ByRoute["query"], st.RateLimited
	res.ListingInvocations = p.Invocations() - before
	res.Bound = time.Duration(float64(res.Pages) / (rate * rest.Headroom) * float64(time.Second))
	if res.Pages < (accounts+backendless.PageSize-1)/backendless.PageSize {
		return nil, fmt.Errorf("orphans: %d pages listed for %d accounts", res.Pages, accounts)
	}

	// What the comparing sweep holds: the collector runs at GOGC=2 so the
	// peak is what it keeps, not the collector's slack; the simulator, the
	// in-memory ledger and the directory are in the baseline (on Lambda the
	// ledger is a table, not the sweep's heap).
	defer debug.SetGCPercent(debug.SetGCPercent(2))
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	res.Baseline = ms.HeapAlloc
	var peak uint64
	calls := p.LedgerStore.Calls.Load()
	stop := sampleHeap(&peak)
	t0 := time.Now()
	r, err := p.Sweep.Handle(ctx, in)
	res.CompareWall = time.Since(t0)
	stop()
	res.LedgerCalls = p.LedgerStore.Calls.Load() - calls
	if err != nil {
		return nil, err
	}
	if peak > res.Baseline {
		res.PeakAboveBase = peak - res.Baseline
	}
	for _, o := range r.Orphans {
		if o.Connection == "crm" {
			if o.Status != sweep.StatusCompared {
				return nil, fmt.Errorf("orphans: crm %s: %s", o.Status, o.Error)
			}
			res.Orphans = o.Orphans
		}
	}
	if res.Orphans != orphans {
		return res, fmt.Errorf("orphans: %d found, want %d", res.Orphans, orphans)
	}
	return res, nil
}
