package bench

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"
)

// Options of a full run.
type Options struct {
	Root       string // the repository (for builds)
	Latency    time.Duration
	ColdRuns   int
	MemoryMsgs int
	FreshRuns  int
	GoBench    string // `go test -bench` output to include, optional
	Progress   func(string)
}

// Report is everything `make bench` measured.
type Report struct {
	When       time.Time
	Throughput *Throughput
	JAOnly     *Throughput // the JourneyApps part alone, batch size 1000
	Mix        []Mix
	Sequential *Sequential
	ColdStarts []ColdStart
	Memory     *Memory
	Fresh      Percentiles
	Window     time.Duration
	GoBench    string
}

// Run runs every scenario.
func Run(ctx context.Context, o Options) (*Report, error) {
	say := func(s string) {
		if o.Progress != nil {
			o.Progress(s)
		}
	}
	r := &Report{When: time.Now().UTC(), Mix: DefaultMix, Window: time.Second}
	var err error
	say("scenario 1: 10,000 targets end to end through the embedded pipeline")
	if r.Throughput, err = RunThroughput(ctx, DefaultMix, o.Latency, 100, say); err != nil {
		return r, err
	}
	say("scenario 1a: the JourneyApps part alone, event source batch size 1000")
	if r.JAOnly, err = RunThroughput(ctx, DefaultMix[:1], o.Latency, 1000, say); err != nil {
		return r, err
	}
	say("scenario 1b: the sequential one-request-per-user loop (JourneyApps sample)")
	if r.Sequential, err = RunSequential(ctx, o.Latency, DefaultMix[0].Rate, 100, DefaultMix[0].Users); err != nil {
		return r, err
	}
	say("scenario 2: cold start and size")
	if r.ColdStarts, err = RunColdStarts(ctx, o.Root, o.ColdRuns); err != nil {
		return r, err
	}
	say("scenario 3: consumer peak heap")
	if r.Memory, err = RunMemory(ctx, o.MemoryMsgs); err != nil {
		return r, err
	}
	say("scenario 4: freshness of a single leaver")
	if r.Fresh, err = RunFreshness(ctx, o.FreshRuns, o.Latency, r.Window); err != nil {
		return r, err
	}
	if o.GoBench != "" {
		if b, err := os.ReadFile(o.GoBench); err == nil {
			r.GoBench = string(b)
		}
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
		w("## 3. Consumer memory\n\nOne invocation with a %d-message batch (70 %% JourneyApps, 10 %% each other provider, zero-latency simulators): peak heap **%.1f MiB** (%.1f MiB before), %.1f s, %d `GetSecretValue` calls for 4 connections. Target: < 64 MiB, so the consumer runs at 128 MB.\n\n",
			m.Messages, float64(m.PeakHeap)/(1<<20), float64(m.BaselineHeap)/(1<<20), m.Wall.Seconds(), m.SecretFetches)
	}
	if r.Fresh.N > 0 {
		w("## 4. Freshness of a single leaver\n\nAn idle pipeline with the template's default batching window (%s); one leaver revoked on four connections by email, %d times: time from the API's 202 to the provider call that revoked each account.\n\n| p50 | p99 | max | target p99 |\n|---:|---:|---:|---:|\n| %s | %s | %s | ≤ 2 s + window = %s |\n\n",
			r.Window, r.Fresh.N/4, ms(r.Fresh.P50), ms(r.Fresh.P99), ms(r.Fresh.Max), ms(2*time.Second+r.Window))
	}
	if r.GoBench != "" {
		w("## Go benchmarks\n\n`go test -run '^$' -bench . -benchmem` over the packages with benchmarks:\n\n```\n%s```\n", r.GoBench)
	}
	return b.String()
}

// SVG draws revocations per second over time for scenario 1.
func (r *Report) SVG() string {
	if r.Throughput == nil || len(r.Throughput.PerSecond) == 0 {
		return ""
	}
	data := r.Throughput.PerSecond
	const W, H, L, B = 720.0, 320.0, 60.0, 40.0
	peak := 1
	for _, v := range data {
		peak = max(peak, v)
	}
	x := func(i int) float64 { return L + float64(i)*(W-L-20)/float64(max(1, len(data)-1)) }
	y := func(v int) float64 { return H - B - float64(v)*(H-B-20)/float64(peak) }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%g" height="%g" font-family="sans-serif" font-size="12">`+"\n", W, H)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/><text x="%g" y="14">revocations per second (10,000 targets; lower bound %.0f s)</text>`+"\n", L, r.Throughput.LowerBound.Seconds())
	fmt.Fprintf(&b, `<line x1="%g" y1="%g" x2="%g" y2="%g" stroke="black"/><line x1="%g" y1="20" x2="%g" y2="%g" stroke="black"/>`+"\n", L, H-B, W-20, H-B, L, L, H-B)
	for _, f := range []float64{0, 0.5, 1} {
		v := int(f * float64(peak))
		fmt.Fprintf(&b, `<text x="%g" y="%g" text-anchor="end">%d</text>`+"\n", L-6, y(v)+4, v)
	}
	for i := 0; i < len(data); i += max(1, len(data)/8) {
		fmt.Fprintf(&b, `<text x="%g" y="%g" text-anchor="middle">%ds</text>`+"\n", x(i), H-B+16, i)
	}
	var pts []string
	for i, v := range data {
		pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(i), y(v)))
	}
	fmt.Fprintf(&b, `<polyline fill="none" stroke="#1f77b4" stroke-width="2" points="%s"/>`+"\n</svg>\n", strings.Join(pts, " "))
	return b.String()
}
