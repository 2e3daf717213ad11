package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/revoke-dev/revoke/internal/bench"
	"github.com/revoke-dev/revoke/pkg/config"
)

func runBench(ctx context.Context, io IO, args []string) int {
	fs := flags(io, "bench", "[flags]", "Measures throughput, cold start, memory and freshness and writes BENCHMARKS.md (make bench).\n  Asserts nothing about time; exit 1 if any target is lost.")
	out := fs.String("out", "BENCHMARKS.md", "report file")
	svg := fs.String("svg", "docs/bench-throughput.svg", "chart of revocations per second (relative to the report)")
	goBench := fs.String("go-bench", "", "go test -bench output to include")
	coldRuns := fs.Int("cold-runs", 15, "cold starts per binary")
	// 2000, not 10000: moto copies the whole ledger table on every
	// transaction, so its snapshot time grows with the square of the store.
	snapshot := fs.Int("snapshot-users", 2000, "identity store size for the moto snapshot scenario (0: skip)")
	scimUsers := fs.Int("scim-users", 10000, "users in the SCIM initial sync")
	only := fs.String("only", "", "comma-separated scenarios to run (1, 1v, 1d, 1a, 1b, 2, 3, 3h, 4, 5, 5b, 6, 7, 8, 9); empty: all. With -only, write -out elsewhere: the report holds only those")
	if code, stop := parse(fs, args); stop {
		return code
	}
	root, _ := os.Getwd()
	r, err := bench.Run(ctx, bench.Options{Root: root, Latency: 30 * time.Millisecond, ColdRuns: *coldRuns, MemoryMsgs: 10000, FreshRuns: 20,
		SCIMUsers: *scimUsers, Snapshot: *snapshot, Moto: os.Getenv("AWS_ENDPOINT_URL") != "",
		GoBench: *goBench, Progress: func(s string) { fmt.Fprintln(io.Err, "bench: "+s) }, Only: config.SplitList(*only)})
	if r == nil {
		return fail(io, "%v", err)
	}
	if s := r.SVG(); s != "" && *svg != "" {
		p := filepath.Join(filepath.Dir(*out), *svg)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err == nil {
			_ = os.WriteFile(p, []byte(s), 0o644)
		}
	}
	if err := os.WriteFile(*out, []byte(r.Markdown(*svg)), 0o644); err != nil {
		return fail(io, "%v", err)
	}
	fmt.Fprintf(io.Out, "wrote %s\n", *out)
	if err != nil {
		return fail(io, "%v", err) // the report says which scenario failed
	}
	return ExitOK
}
