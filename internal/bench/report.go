package bench

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"
)

// Options of a full run.
type Options struct {
	Root       string // the repository (for builds and events/)
	Latency    time.Duration
	ColdRuns   int
	MemoryMsgs int
	FreshRuns  int
	SCIMUsers  int    // initial sync size
	Snapshot   int    // directory size for the moto snapshot (0 or no moto: skipped)
	Moto       bool   // a moto server is configured ($AWS_ENDPOINT_URL)
	GoBench    string // `go test -bench` output to include, optional
	Progress   func(string)
	// Only names the scenarios to run ("1", "1v", "1d", "4"…); empty: all.
	Only []string
}

// Report is everything `make bench` measured.
type Report struct {
	When            time.Time
	Throughput      *Throughput // verification off
	Verified        *Throughput // the same run with read-back verification on
	Discovered      *Throughput // HiddenMix, no rate declared
	JAOnly          *Throughput // the JourneyApps part alone, batch size 1000
	Mix             []Mix
	Sequential      *Sequential
	ColdStarts      []ColdStart
	Memory          *Memory
	HugeMemory      *Memory // providers answering 32 MiB error bodies
	Fresh           Percentiles
	SCIMFresh       Percentiles
	Window          time.Duration
	Ledger          *LedgerCost
	Status          *StatusCost // a 50,000-target request read back, JSON and CSV
	SCIM            *SCIMSync
	Trigger         *TriggerCost
	Snapshot        *Snapshot
	SnapshotSkipped string
	Orphans         *Orphans // 50,000 accounts against a 50,000-person directory
	GoBench         string
	// Failures are the scenarios that failed (a lost target among them);
	// the others still ran and are reported.
	Failures []string
}

func (r *Report) fail(err error) { r.Failures = append(r.Failures, err.Error()) }

// Run runs every scenario.
func Run(ctx context.Context, o Options) (*Report, error) {
	say := func(s string) {
		if o.Progress != nil {
			o.Progress(s)
		}
	}
	r := &Report{When: time.Now().UTC(), Mix: DefaultMix, Window: time.Second}
	want := func(name string) bool { return len(o.Only) == 0 || slices.Contains(o.Only, name) }
	var err error
	if want("1") {
		say("scenario 1: 10,000 targets end to end through the embedded pipeline, verification off")
		if r.Throughput, err = RunThroughput(ctx, DefaultMix, o.Latency, 100, ThroughputOptions{}, say); err != nil {
			r.fail(err)
		}
	}
	if want("1v") {
		say("scenario 1v: the same with read-back verification on")
		if r.Verified, err = RunThroughput(ctx, DefaultMix, o.Latency, 100, ThroughputOptions{Verify: true}, say); err != nil {
			r.fail(err)
		}
	}
	if want("1d") {
		say("scenario 1d: no rate declared, simulators limited at 5, 10 and 50 requests/s")
		if r.Discovered, err = RunThroughput(ctx, HiddenMix, o.Latency, 100, ThroughputOptions{Undeclared: true}, say); err != nil {
			r.fail(err)
		}
	}
	if want("1a") {
		say("scenario 1a: the JourneyApps part alone, event source batch size 1000")
		if r.JAOnly, err = RunThroughput(ctx, DefaultMix[:1], o.Latency, 1000, ThroughputOptions{}, say); err != nil {
			r.fail(err)
		}
	}
	if want("1b") {
		say("scenario 1b: the sequential one-request-per-user loop (JourneyApps sample)")
		if r.Sequential, err = RunSequential(ctx, o.Latency, DefaultMix[0].Rate, 100, DefaultMix[0].Users); err != nil {
			r.fail(err)
		}
	}
	if want("2") {
		say("scenario 2: cold start and size")
		if r.ColdStarts, err = RunColdStarts(ctx, o.Root, o.ColdRuns); err != nil {
			r.fail(err)
		}
	}
	if want("3") {
		say("scenario 3: consumer peak heap")
		if r.Memory, err = RunMemory(ctx, o.MemoryMsgs, false); err != nil {
			r.fail(err)
		}
	}
	if want("3h") {
		say("scenario 3h: consumer peak heap against 32 MiB error bodies")
		if r.HugeMemory, err = RunMemory(ctx, 1000, true); err != nil {
			r.fail(err)
		}
	}
	if want("4") {
		say("scenario 4: freshness of a single leaver (API, then SCIM PATCH)")
		if r.Fresh, err = RunFreshness(ctx, o.FreshRuns, o.Latency, r.Window, ViaAPI); err != nil {
			r.fail(err)
		}
		if r.SCIMFresh, err = RunFreshness(ctx, o.FreshRuns, o.Latency, r.Window, ViaSCIM); err != nil {
			r.fail(err)
		}
	}
	if want("5") {
		say("scenario 5: the ledger's cost")
		if r.Ledger, err = RunLedger(ctx, 1000, 9); err != nil {
			r.fail(err)
		}
	}
	if want("5b") {
		say("scenario 5b: a 50,000-target request's status and CSV, every page")
		if r.Status, err = RunStatus(ctx, 50000); err != nil {
			r.fail(err)
		}
	}
	if want("6") {
		say("scenario 6: a SCIM initial sync")
		if r.SCIM, err = RunSCIMSync(ctx, o.SCIMUsers); err != nil {
			r.fail(err)
		}
	}
	if want("7") {
		say("scenario 7: the trigger's cost per event")
		if r.Trigger, err = RunTrigger(ctx, o.Root, 2000); err != nil {
			r.fail(err)
		}
	}
	switch {
	case !want("8"):
		r.SnapshotSkipped = "not asked for"
	case o.Snapshot == 0:
		r.SnapshotSkipped = "not asked for"
	case !o.Moto:
		r.SnapshotSkipped = "no moto server ($AWS_ENDPOINT_URL unset): run through `make bench`"
	default:
		say(fmt.Sprintf("scenario 8: a sweep snapshot of a %d-user identity store on moto", o.Snapshot))
		if r.Snapshot, err = RunSnapshot(ctx, o.Snapshot); err != nil {
			r.fail(err)
		}
	}
	if want("9") {
		say("scenario 9: orphans, 50,000 Backendless accounts listed and compared with a 50,000-person directory")
		if r.Orphans, err = RunOrphans(ctx, 50000, 50000, 1000, 20); err != nil {
			r.fail(err)
		}
	}
	if o.GoBench != "" {
		if b, err := os.ReadFile(o.GoBench); err == nil {
			r.GoBench = string(b)
		}
	}
	if len(r.Failures) > 0 {
		return r, fmt.Errorf("bench: %d scenario(s) failed: %s", len(r.Failures), strings.Join(r.Failures, "; "))
	}
	return r, nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond)) }

// Markdown renders BENCHMARKS.md.
func (r *Report) Markdown(svgName string) string {
	var b strings.Builder
	w := func(f string, a ...any) { fmt.Fprintf(&b, f, a...) }
	w("# revoke benchmarks\n\nMeasured by `make bench` on %s (%s/%s, %d CPUs, %s). These machines are noisy:\nread ratios measured in the same run, not absolute times. Nothing here is asserted about time;\nthe run fails only if a target is lost.\n\n",
		r.When.Format("2006-01-02 15:04 UTC"), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version())
	if t := r.Throughput; t != nil {
		w("## 1. End to end: %d targets through the embedded pipeline\n\n", t.Targets)
		w("API → embedded queue (SQS semantics) → 2 consumer instances (`MAX_CONCURRENCY=2`, batch 100, window 1 s) → simulators with 30 ms latency and token-bucket rate limits; each connection's secret declares the same rate.\n\n")
		w("| connection | provider | targets | rate limit | requests needed | lower bound | last revoked at |\n|---|---|---:|---:|---:|---:|---:|\n")
		for _, m := range r.Mix {
			per := min(m.UsersPerRequest, 100)
			reqs := (m.Users + per - 1) / per
			w("| %s | %s | %d | %g/s | %d | %.1f s | %.1f s |\n", m.Connection, m.Provider, m.Users, m.Rate, reqs, float64(reqs)/m.Rate, t.PerProvider[m.Connection].Seconds())
		}
		ratio := t.Wall.Seconds() / t.LowerBound.Seconds()
		w("\n| measure | value |\n|---|---|\n")
		w("| wall time, first 202 to last revocation | **%.1f s** |\n", t.Wall.Seconds())
		w("| rate-limit lower bound (slowest provider) | %.1f s |\n", t.LowerBound.Seconds())
		w("| wall ÷ lower bound | **%.2f×** (target ≤ 1.15×; revoke spends 95 %% of a declared budget) |\n", ratio)
		w("| 429s / code 999 answered (after the first second) | %d (%d) (target: 0 after the first second) |\n", t.Total429s, t.Late429s)
		w("| HTTP requests to providers | %d for %d targets |\n", t.Requests, t.Targets)
		w("| consumer invocations | %d |\n", t.Invocations)
		w("| targets lost | %d |\n", t.Lost)
		w("| freshness during the run, 202 → provider call (p50 / p99 / max) | %s / %s / %s (n=%d) |\n\n", ms(t.Freshness.P50), ms(t.Freshness.P99), ms(t.Freshness.Max), t.Freshness.N)
		if svgName != "" {
			w("![revocations per second](%s)\n\n", svgName)
		}
	}
	if v := r.Verified; v != nil {
		off := "—"
		if t := r.Throughput; t != nil {
			off = fmt.Sprintf("%.1f s", t.Wall.Seconds())
		}
		w("### Changes first, proofs after (verification on)\n\nThe same 10,000 targets with `verify` on in every secret (the default). Every request to a provider spends its connection's one budget, changes first: a target is `changed` as soon as the provider accepts the change, and its read-back follows at proof priority, beside the batch's changes or as a proof message. Proofs: JourneyApps listing pages (up to 100 users each), Backendless `GET data/Users?where=objectId=… OR …` (up to 50), SCIM `GET /Users?filter=id eq … or …` (up to 20); Mendix has no read API (done at once, `verified: null`). The change bound counts the change requests alone; the proof bound every request the providers served within their limits (changes and proofs), divided by each one's rate. Before issue 24 (verification on, %s): 555.4 s, 10949 requests, reads interleaved with changes; verification off in this run: %s.\n\n", "2026-11-26", off)
		w("| measure | before issue 24 | now | bound | now ÷ bound | target |\n|---|---:|---:|---:|---:|---|\n")
		w("| time to the last change | — | **%.1f s** | %.1f s (changes alone) | **%.2f×** | ≤ 1.15× |\n", v.LastChange.Seconds(), v.LowerBound.Seconds(), v.LastChange.Seconds()/v.LowerBound.Seconds())
		w("| time to the last proof (every target settled) | 555.4 s | **%.1f s** | %.1f s (every request) | **%.2f×** | ≤ 1.15× |\n", v.LastProof.Seconds(), v.CountedBound.Seconds(), v.LastProof.Seconds()/v.CountedBound.Seconds())
		w("| time to change per target, 202 → the provider call (p50 / p99) | — | %s / %s | | | |\n", ms(v.ToChange.P50), ms(v.ToChange.P99))
		w("| time to proof per target, 202 → settled (p50 / p99) | — | %s / %s | | | |\n", ms(v.ToProof.P50), ms(v.ToProof.P99))
		w("| HTTP requests to providers | 10949 | %d | | | |\n", v.Requests)
		w("| 429s / code 999 (after the first second) | 0 (0) | %d (%d) | | | 0 after the first second |\n", v.Total429s, v.Late429s)
		w("| targets verified (seen revoked) | 9700 | %d | | | every readable one |\n| targets lost | 0 | %d | | | 0 |\n\n", v.Verified, v.Lost)
	}
	if d := r.Discovered; d != nil {
		w("### A budget found when none is declared\n\n10,000 targets, verification off, no `rate_per_second` in any secret; the simulators enforce hidden token-bucket limits (burst = rate). Each of the 2 consumer instances starts at the provider's default share and finds its rate from 429s (Backendless: HTTP 429 with code 999) and `Retry-After` where sent (none of the four simulated vendors documents rate-limit headers; a SCIM server that sends `RateLimit-Policy` sets the rate at once, tested in `internal/simulator`).\n\n")
		w("| connection | provider | targets | hidden limit | requests needed | bound | last change at |\n|---|---|---:|---:|---:|---:|---:|\n")
		for _, m := range HiddenMix {
			per := min(m.UsersPerRequest, 100)
			reqs := (m.Users + per - 1) / per
			w("| %s | %s | %d | %g/s | %d | %.1f s | %.1f s |\n", m.Connection, m.Provider, m.Users, m.Rate, reqs, float64(reqs)/m.Rate, d.PerProvider[m.Connection].Seconds())
		}
		pct := 100 * float64(d.Total429s) / float64(max(d.Requests, 1))
		w("\n| measure | value | target |\n|---|---:|---|\n")
		w("| wall time, first 202 to the last target settled | **%.1f s** | |\n| bound (slowest provider at its hidden limit) | %.1f s | |\n", d.Wall.Seconds(), d.LowerBound.Seconds())
		w("| wall ÷ bound | **%.2f×** | ≤ 1.3× |\n", d.Wall.Seconds()/d.LowerBound.Seconds())
		w("| 429s / code 999 answered | %d of %d requests (**%.1f %%**) | ≤ 3 %% |\n| targets lost | %d | 0 |\n\n", d.Total429s, d.Requests, pct, d.Lost)
	}
	if s, ja := r.Sequential, r.JAOnly; s != nil && ja != nil {
		w("### The JourneyApps part against the sequential loop\n\nThe seeds' CloudCode sample locks one user per request, one after another. Run against the same JourneyApps simulator (30 ms latency, 10 requests/s, so the loop is held to the limit instead of failing on 429s) for %d users: %.1f s, %s per user, %d requests; projected to the %d JourneyApps users: **%.0f s**.\n\n",
			s.Sample, s.Wall.Seconds(), ms(s.PerUser), s.Requests, r.Mix[0].Users, s.Projected.Seconds())
		w("revoke alone on the same %d users (event source batch size 1000, so one batch.json request carries 1000 operations): **%.1f s**, %d HTTP requests, lower bound %.1f s, 429s %d. **%.0f× faster** than the sequential loop (target ≥ 50×). In the mixed run above (batch size 100, the template's default) the JourneyApps users ride along in 100-operation requests and finish with the slowest provider.\n\n",
			ja.Targets, ja.Wall.Seconds(), ja.Requests, ja.LowerBound.Seconds(), ja.Total429s, s.Projected.Seconds()/max(ja.Wall.Seconds(), 0.001))
	}
	if len(r.ColdStarts) > 0 {
		base := r.ColdStarts[0]
		w("## 2. Cold start and size\n\nInit = process start to the first `GET /runtime/invocation/next` through the local Runtime API (`pkg/runtimeapi`), median of %d runs each, interleaved, on this machine (%s). Sizes: `-tags lambda.norpc -trimpath -ldflags=\"-s -w\"`.\n\n", base.Runs, runtime.GOARCH)
		w("| binary | size arm64 | size %s | init median | init min | init ÷ baseline |\n|---|---:|---:|---:|---:|---:|\n", runtime.GOARCH)
		for _, c := range r.ColdStarts {
			w("| %s | %.1f MB | %.1f MB | %s | %s | %.2f× |\n", c.Name, float64(c.SizeArm64)/1e6, float64(c.SizeHost)/1e6,
				fmt.Sprintf("%.1f ms", float64(c.InitMedian)/1e6), fmt.Sprintf("%.1f ms", float64(c.InitMin)/1e6), float64(c.InitMedian)/float64(base.InitMedian))
		}
		w("\nTargets: ≤ 10 MB each, init ≤ 1.3× the baseline.\n\n")
	}
	if m := r.Memory; m != nil {
		w("## 3. Consumer memory\n\nOne invocation with a %d-message batch (70 %% JourneyApps, 10 %% each other provider, zero-latency simulators, in-memory ledger): peak heap **%.1f MiB** (%.1f MiB before), %.1f s, %d `GetSecretValue` calls for 4 connections. Target: < 64 MiB (the template gives the consumer 256 MB with `GOMEMLIMIT` 200 MiB; it would fit in 128 MB).\n\n",
			m.Messages, float64(m.PeakHeap)/(1<<20), float64(m.BaselineHeap)/(1<<20), m.Wall.Seconds(), m.SecretFetches)
	}
	if m := r.HugeMemory; m != nil {
		w("Against providers that answer every request with `500` and a **32 MiB** error body (the simulators' `huge` fault), one invocation of %d messages: peak heap **%.1f MiB** (%.1f MiB before), %.1f s, %d of %d messages reported for retry. revoke reads at most 64 KiB of an error body and redacts, then truncates, what it keeps.\n\n",
			m.Messages, float64(m.PeakHeap)/(1<<20), float64(m.BaselineHeap)/(1<<20), m.Wall.Seconds(), m.Failures, m.Messages)
	}
	if r.Fresh.N > 0 {
		w("## 4. Freshness of a single leaver\n\nAn idle pipeline with the template's default batching window (%s); one leaver with an account on each of the four connections, %d times: time from the request to the provider call that revoked each account. Through the API (`POST /revocations` on `\"*\"` by email) and through the SCIM front door (an Entra-style `PATCH` with `\"op\":\"Replace\"`, `\"value\":\"False\"` after a `POST` that provisioned the person).\n\n| front door | p50 | p99 | max | target p99 |\n|---|---:|---:|---:|---:|\n",
			r.Window, r.Fresh.N/4)
		w("| API | %s | %s | %s | ≤ 2 s + window = %s |\n", ms(r.Fresh.P50), ms(r.Fresh.P99), ms(r.Fresh.Max), ms(2*time.Second+r.Window))
		if r.SCIMFresh.N > 0 {
			w("| SCIM PATCH | %s | %s | %s | ≤ 2 s + window = %s |\n", ms(r.SCIMFresh.P50), ms(r.SCIMFresh.P99), ms(r.SCIMFresh.Max), ms(2*time.Second+r.Window))
		}
		w("\n")
	}
	if l := r.Ledger; l != nil {
		drop := 100 * (1 - float64(l.Without)/float64(max(l.With, 1)))
		w("## 5. The ledger\n\nOne consumer, a %d-message batch against zero-latency simulators, median of %d invocations each way (interleaved), the ledger in memory counting the DynamoDB calls a table would take:\n\n", l.Batch, l.Runs)
		w("| measure | value | target |\n|---|---:|---:|\n")
		w("| invocation without the ledger | %s | |\n| invocation with the ledger | %s | |\n", ms(l.Without), ms(l.With))
		w("| throughput lost to the ledger | %.1f %% | ≤ 10 %% |\n", drop)
		w("| DynamoDB calls per 1000 targets (consumer) | %.0f | ≤ 50 |\n", l.CallsPer1000)
		w("| `GET /revocations/{id}` of a %d-target request: pages (limit 1000) | %d | ≤ 5 |\n", l.StatusTargets, l.StatusPages)
		w("| … DynamoDB calls for those pages | %d | |\n| … DynamoDB calls for `?format=csv` | %d | |\n\n", l.StatusStoreCalls, l.StatusStoreCallsC)
	}
	if st := r.Status; st != nil {
		mib := func(b uint64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }
		w("### Status and evidence of a %d-target request\n\nThe request recorded (every target done, resolved to an account, with a 200-byte message), then read back through the API handler, every page, from a read-only store that pages as DynamoDB does (at most 1 MB a query). The stored items (%s) are in the baseline, as a table's are not in a Lambda's heap; the collector runs at `GOGC=2` while reading, so the peak is what the reads hold. Every page shows the whole request's status and counts: the first page counts every target once, streaming, and its cursor carries the counts; every later page is the request item and one query:\n\n", st.Targets, mib(st.Baseline))
		w("| read | pages | wall | largest response | DynamoDB calls (most in one page: the first) | peak heap above the baseline | target |\n|---|---:|---:|---:|---:|---:|---|\n")
		for _, x := range []struct {
			name string
			r    StatusRead
		}{{"`GET /revocations/{id}?limit=1000`", st.JSON}, {"`?format=csv` (1000 a page, `X-Next-Cursor`)", st.CSV}} {
			w("| %s | %d | %.1f s | %.2f MB | %d (%d) | %s | < 64 MiB, every response < 6 MB |\n", x.name, x.r.Pages, x.r.Wall.Seconds(),
				float64(x.r.MaxBody)/1e6, x.r.Calls, x.r.MaxPageCalls, mib(x.r.PeakAboveBase))
		}
		w("\n")
	}
	if c := r.SCIM; c != nil {
		w("## 6. SCIM initial sync\n\n%d `POST /scim/v2/Users` one after another (as an IdP's first provisioning cycle) through the API handler and the in-memory ledger: **%.0f calls/s** (%.1f s), %.0f allocations and %.1f KiB per call, %d DynamoDB calls (%.1f per user).\n\n",
			c.Users, c.PerSecond, c.Wall.Seconds(), c.AllocsPer, c.BytesPer/1024, c.StoreCalls, float64(c.StoreCalls)/float64(c.Users))
	}
	if t := r.Trigger; t != nil {
		w("## 7. The trigger\n\n%d distinct copies of each sample through the trigger handler on the embedded pipeline (parse, ledger, `Idempotency-Key` claim, one message per target on 4 connections):\n\n| sample | per event | allocations | KiB | became a request |\n|---|---:|---:|---:|---:|\n", t.Events)
		for _, row := range t.Rows {
			w("| `events/%s` | %.0f µs | %.0f | %.1f | %d |\n", row.Source, float64(row.PerEvent)/1e3, row.AllocsPer, row.BytesPer/1024, row.Submitted)
		}
		w("\nThe trigger's init time against the empty handler is in section 2.\n\n")
	}
	if sn := r.Snapshot; sn != nil {
		w("## 8. Directory snapshot on moto\n\nOne sweep snapshot of a %d-user IAM Identity Center store (moto's `identitystore`) into a ledger table (moto's DynamoDB): **%.1f s**, %d `ListUsers` calls, %d DynamoDB calls, %d snapshot items written (status %s). Creating the users took %.1f s (about %.1f ms per moto call): moto's speed, not revoke's, sets these seconds.\n\n",
			sn.Users, sn.Wall.Seconds(), sn.ListCalls, sn.DynamoCalls, sn.LedgerItems, sn.Status, sn.SetupWall.Seconds(), sn.MotoCallMillis)
	} else if r.SnapshotSkipped != "" {
		w("## 8. Directory snapshot on moto\n\nSkipped: %s.\n\n", r.SnapshotSkipped)
	}
	if o := r.Orphans; o != nil {
		w("## 9. Orphaned accounts: %d × %d\n\n", o.Accounts, o.People)
		w("A Backendless app of %d users (simulator limited to %g requests/s, the secret declaring the same, `MAX_CONCURRENCY=1`) listed page by page through the embedded queue and one consumer (background reads: `GET data/Users?pageSize=100&offset=…`), then compared in the sweep with an IAM Identity Center snapshot of %d people, %d of whom have no account; %d accounts belong to no one.\n\n",
			o.Accounts, o.Rate, o.People, o.People-(o.Accounts-o.Want), o.Want)
		w("| measure | value | target |\n|---|---:|---|\n")
		w("| listing requests (pages of 100, and the empty one that ends it) | %d | |\n", o.Pages)
		w("| listing wall time, first message to last page | %.1f s | |\n", o.ListWall.Seconds())
		w("| the listing's own rate bound, pages ÷ (rate × 0.95) | %.1f s | |\n", o.Bound.Seconds())
		w("| wall ÷ bound | **%.2f×** | ≤ 1.2× |\n", o.ListWall.Seconds()/o.Bound.Seconds())
		w("| 429s / code 999 | %d | 0 |\n| listing messages (consumer invocations) | %d | |\n", o.RateLimited, o.ListingInvocations)
		w("| the comparing sweep's peak heap above its baseline (GOGC=2) | **%.1f MiB** (baseline %.1f MiB: simulator, in-memory ledger) | < 128 MiB |\n",
			float64(o.PeakAboveBase)/(1<<20), float64(o.Baseline)/(1<<20))
		w("| the comparing sweep's ledger calls (its snapshot refresh included) | %d | |\n", o.LedgerCalls)
		w("| the comparing sweep's wall time on the in-memory store | %.1f s | (the store sorts a partition on every page; DynamoDB answers each page in one query) |\n", o.CompareWall.Seconds())
		w("| orphans found / seeded | %d / %d | all, none invented |\n\n", o.Orphans, o.Want)
	}
	if len(r.Failures) > 0 {
		w("## Failed scenarios\n\n")
		for _, f := range r.Failures {
			w("- %s\n", f)
		}
		w("\n")
	}
	if r.GoBench != "" {
		w("## Go benchmarks\n\n`go test -run '^$' -bench . -benchmem` over the packages with benchmarks:\n\n```\n%s```\n", r.GoBench)
	}
	return b.String()
}

// SVG draws, per second of the verify-on run (scenario 1v; else scenario
// 1), the accounts changed and the targets settled (proven): two curves.
func (r *Report) SVG() string {
	t := r.Verified
	if t == nil {
		t = r.Throughput
	}
	if t == nil || len(t.PerSecond) == 0 {
		return ""
	}
	changes, proofs := t.PerSecond, t.ProofsPerSecond
	n := max(len(changes), len(proofs))
	const W, H, L, B = 720.0, 320.0, 60.0, 40.0
	peak := 1
	for _, v := range append(append([]int(nil), changes...), proofs...) {
		peak = max(peak, v)
	}
	x := func(i int) float64 { return L + float64(i)*(W-L-20)/float64(max(1, n-1)) }
	y := func(v int) float64 { return H - B - float64(v)*(H-B-20)/float64(peak) }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%g" height="%g" font-family="sans-serif" font-size="12">`+"\n", W, H)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/><text x="%g" y="14">per second, %d targets, verify %v: accounts changed (blue), targets proven (orange); change bound %.0f s</text>`+"\n",
		L, t.Targets, map[bool]string{true: "on", false: "off"}[t.Verify], t.LowerBound.Seconds())
	fmt.Fprintf(&b, `<line x1="%g" y1="%g" x2="%g" y2="%g" stroke="black"/><line x1="%g" y1="20" x2="%g" y2="%g" stroke="black"/>`+"\n", L, H-B, W-20, H-B, L, L, H-B)
	for _, f := range []float64{0, 0.5, 1} {
		v := int(f * float64(peak))
		fmt.Fprintf(&b, `<text x="%g" y="%g" text-anchor="end">%d</text>`+"\n", L-6, y(v)+4, v)
	}
	for i := 0; i < n; i += max(1, n/8) {
		fmt.Fprintf(&b, `<text x="%g" y="%g" text-anchor="middle">%ds</text>`+"\n", x(i), H-B+16, i)
	}
	for _, c := range []struct {
		data  []int
		color string
	}{{changes, "#1f77b4"}, {proofs, "#ff7f0e"}} {
		if len(c.data) == 0 {
			continue
		}
		var pts []string
		for i, v := range c.data {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(i), y(v)))
		}
		fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>`+"\n", c.color, strings.Join(pts, " "))
	}
	b.WriteString("</svg>\n")
	return b.String()
}
