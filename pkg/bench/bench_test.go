package bench

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestSmallRun runs the end-to-end scenario at a tenth of its size: no
// target may be lost (times are logged, never asserted).
func TestSmallRun(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	var mix []Mix
	for _, m := range DefaultMix {
		m.Users /= 10
		mix = append(mix, m)
	}
	r, err := RunThroughput(context.Background(), mix, 30*time.Millisecond, 100, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d targets in %.1fs, lower bound %.1fs (%.2fx), 429s %d (after 1s: %d), freshness p99 %v",
		r.Targets, r.Wall.Seconds(), r.LowerBound.Seconds(), r.Wall.Seconds()/r.LowerBound.Seconds(), r.Total429s, r.Late429s, r.Freshness.P99)
	t.Logf("last revocation per connection: %v; invocations %d; per second %v", r.PerProvider, r.Invocations, r.PerSecond)
	rep := &Report{Throughput: r, Mix: mix}
	if md := rep.Markdown("x.svg"); !strings.Contains(md, "wall ÷ lower bound") {
		t.Fatal("report lacks the ratio")
	}
	if svg := rep.SVG(); !strings.HasPrefix(svg, "<svg") || !strings.Contains(svg, "polyline") {
		t.Fatal("no chart")
	}
}
