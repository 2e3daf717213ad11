package bench

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"
)

// TestSmallRun runs the end-to-end scenario at a twentieth of its size: no
// target may be lost (times are logged, never asserted).
func TestSmallRun(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	var mix []Mix
	for _, m := range DefaultMix {
		m.Users /= 20
		mix = append(mix, m)
	}
	r, err := RunThroughput(context.Background(), mix, 30*time.Millisecond, 100, ThroughputOptions{Verify: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d targets in %.1fs, lower bound %.1fs (%.2fx), 429s %d (after 1s: %d), freshness p99 %v",
		r.Targets, r.Wall.Seconds(), r.LowerBound.Seconds(), r.Wall.Seconds()/r.LowerBound.Seconds(), r.Total429s, r.Late429s, r.Freshness.P99)
	if r.Verified < r.Targets-mix[2].Users {
		t.Fatalf("verified %d of %d targets (Mendix's %d cannot be read back)", r.Verified, r.Targets, mix[2].Users)
	}
	t.Logf("last revocation per connection: %v; invocations %d; per second %v", r.PerProvider, r.Invocations, r.PerSecond)
	rep := &Report{Throughput: r, Mix: mix}
	if md := rep.Markdown("x.svg"); !strings.Contains(md, "wall ÷ lower bound") {
		t.Fatal("report lacks the ratio")
	}
	if svg := rep.SVG(); !strings.HasPrefix(svg, "<svg") || !strings.Contains(svg, "polyline") {
		t.Fatal("no chart")
	}
}

// TestScenarios runs the small scenarios once each: they must measure
// something and lose nothing.
func TestScenarios(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	ctx := context.Background()
	l, err := RunLedger(ctx, 200, 1)
	if err != nil {
		t.Fatal(err)
	}
	// At most two writes a target (changed, then its outcome), each a head
	// read per 100 and a transaction per 50: 60 per 1000. How many proofs
	// fit beside the changes, and so how often the second write reuses
	// the heads the first left (50 per 1000, the benchmark's target),
	// depends on the machine's timing: make bench reports it, no test
	// asserts it.
	if l.StatusPages < 1 || l.StatusPages > 5 || l.CallsPer1000 <= 0 || l.CallsPer1000 > 60 {
		t.Fatalf("ledger: %+v", l)
	}
	st, err := RunStatus(ctx, 2500)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []StatusRead{st.JSON, st.CSV} {
		// The first page also counts the whole request (a few 1 MB store
		// pages); every later page is the request item and one query.
		if r.Pages != 3 || r.MaxPageCalls > 2+5 || r.Calls > int64(2*r.Pages+5) || r.MaxBody >= 6e6 || r.MaxBody == 0 {
			t.Fatalf("status: %+v", r)
		}
	}
	if md := (&Report{Status: st}).Markdown(""); !strings.Contains(md, "2500-target request") {
		t.Fatal("report lacks the status scenario")
	}
	sc, err := RunSCIMSync(ctx, 50)
	if err != nil || sc.StoreCalls == 0 {
		t.Fatalf("scim: %+v %v", sc, err)
	}
	tr, err := RunTrigger(ctx, "../..", 20)
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range tr.Rows {
		if row.Submitted != 20 {
			t.Fatalf("trigger %s: %d of 20 events became a request", row.Source, row.Submitted)
		}
	}
	m, err := RunMemory(ctx, 20, true)
	if err != nil {
		t.Fatal(err)
	}
	if m.PeakHeap > 64<<20 {
		t.Fatalf("peak heap %d MiB against 32 MiB error bodies", m.PeakHeap>>20)
	}
	f, err := RunFreshness(ctx, 2, 0, 50*time.Millisecond, ViaSCIM)
	if err != nil || f.N != 8 {
		t.Fatalf("scim freshness: %+v %v", f, err)
	}
}

// TestOrphansSmall runs the orphan comparison at a twenty-fifth of its
// size: every orphan found, none invented; the listing within its rate
// bound is logged (times are never asserted).
func TestOrphansSmall(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	o, err := RunOrphans(context.Background(), 2000, 2000, 40, 200)
	if err != nil {
		t.Fatal(err)
	}
	// 20 full pages and the empty one that ends the listing; one message
	// reads up to 200 pages.
	if o.Pages != 21 || o.RateLimited != 0 || o.ListingInvocations != 1 {
		t.Fatalf("%+v", o)
	}
	t.Logf("%d pages in %v (bound %v, %.2fx); compare %v, peak %.1f MiB above %.1f MiB", o.Pages, o.ListWall, o.Bound,
		o.ListWall.Seconds()/o.Bound.Seconds(), o.CompareWall, float64(o.PeakAboveBase)/(1<<20), float64(o.Baseline)/(1<<20))
}

// TestOrphansFull is `make bench`'s scenario 9 alone (REVOKE_BENCH_ORPHANS=1):
// 50,000 accounts against a 50,000-person directory.
func TestOrphansFull(t *testing.T) {
	if os.Getenv("REVOKE_BENCH_ORPHANS") == "" {
		t.Skip("REVOKE_BENCH_ORPHANS is unset")
	}
	o, err := RunOrphans(context.Background(), 50000, 50000, 1000, 20)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", o)
	t.Logf("%d pages in %v (bound %v, %.2fx); compare %v, peak %.1f MiB above %.1f MiB", o.Pages, o.ListWall, o.Bound,
		o.ListWall.Seconds()/o.Bound.Seconds(), o.CompareWall, float64(o.PeakAboveBase)/(1<<20), float64(o.Baseline)/(1<<20))
}
