package cli

import (
	"github.com/revoke-dev/revoke/pkg/message"

	"bytes"
	"strings"
	"testing"
	"time"
)

// Counts read as words a person reads, in a stable order, never a Go map.
// (Before: the status output did not show the counts in words; a Go map
// printed them as map[done:4 failed:1].)
func TestCountsText(t *testing.T) {
	tests := []struct {
		name   string
		counts map[string]int
		want   string
	}{
		{"done and failed", map[string]int{"failed": 1, "done": 4}, "done 4, failed 1"},
		{"zeros skipped", map[string]int{"done": 2, "pending": 0, "retrying": 0}, "done 2"},
		{"settled before moving", map[string]int{"pending": 3, "no_account": 1, "already": 2, "retrying": 1, "done": 1}, "done 1, already 2, no account 1, retrying 1, pending 3"},
		{"unknown outcomes follow, sorted", map[string]int{"drift": 1, "changed": 2, "done": 1}, "done 1, changed 2, drift 1"},
		{"none", nil, "no targets"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for range 5 { // map order must not matter
				if got := message.CountsText(tt.counts); got != tt.want {
					t.Fatalf("got %q, want %q", got, tt.want)
				}
			}
		})
	}
}

func TestPrintStatusCounts(t *testing.T) {
	var out, errw bytes.Buffer
	st := &statusBody{RequestID: "r1", Status: "failed", Action: "revoke", Actor: "token:x", Source: "api",
		RequestedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Counts: map[string]int{"done": 4, "failed": 1}}
	code := printStatus(IO{Out: &out, Err: &errw}, st)
	if code == ExitOK || !strings.Contains(out.String(), "targets: done 4, failed 1\n") || strings.Contains(out.String(), "map[") {
		t.Fatalf("exit %d, output:\n%s", code, out.String())
	}
	var prog bytes.Buffer
	progress(&prog, &statusBody{Counts: map[string]int{"done": 1, "pending": 2}, Targets: make([]targetBody, 3)})
	if !strings.Contains(prog.String(), "1/3 settled: done 1, pending 2") {
		t.Fatalf("progress: %q", prog.String())
	}
}
