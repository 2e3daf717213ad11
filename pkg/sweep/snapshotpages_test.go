package sweep

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/revoke-dev/revoke/internal/inmem"
	"github.com/revoke-dev/revoke/pkg/config"
	"github.com/revoke-dev/revoke/pkg/directory"
	"github.com/revoke-dev/revoke/pkg/ledger"
)

// stopAfter is a directory that lets a snapshot read n pages, then cuts
// it short (as the Lambda deadline does), counting the pages read.
type stopAfter struct {
	*inmem.Directory
	n, read int
	cancel  context.CancelFunc
}

func (s *stopAfter) ListPage(ctx context.Context, d directory.Source, token string) ([]directory.User, string, error) {
	s.read++
	if s.read == s.n && s.cancel != nil {
		s.cancel()
	}
	return s.Directory.ListPage(ctx, d, token)
}

// A snapshot cut short saves where it stopped; the next run continues from
// there (no page read twice) and only then records the snapshot complete,
// with the first run's start time.
func TestSnapshotResumes(t *testing.T) {
	dir := &inmem.Directory{}
	src := directory.Source{Type: directory.IdentityStore, ID: "d-1234567890"}
	for i := range 2500 {
		dir.Put(src.String(), directory.User{ID: fmt.Sprintf("u%04d", i), Emails: []string{fmt.Sprintf("p%04d@example.com", i)}})
	}
	l := ledger.New(inmem.NewStore(nil), time.Hour)
	cfg, err := config.Load(func(k string) string { return map[string]string{"DIRECTORY_SOURCES": src.String()}[k] })
	if err != nil {
		t.Fatal(err)
	}
	first := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	clock := first
	pages := &stopAfter{Directory: dir, n: 12}
	s := &Sweeper{Config: cfg, Ledger: l, Directory: pages, Log: slog.New(slog.NewJSONHandler(io.Discard, nil)), Now: func() time.Time { return clock }}

	ctx, cancel := context.WithCancel(context.Background())
	pages.cancel = cancel
	r := s.snapshot(ctx, src)
	if r.Status != StatusIncomplete || r.Users != 1200 {
		t.Fatalf("first run %+v", r)
	}
	if done, _ := l.SnapshotComplete(context.Background(), src.String()); !done.IsZero() {
		t.Fatal("a snapshot cut short was recorded complete")
	}
	clock = first.Add(time.Hour)
	pages.cancel = nil
	r = s.snapshot(context.Background(), src)
	if r.Status != StatusOK || !r.Resumed || r.Users != 1300 || pages.read != 25 {
		t.Fatalf("second run %+v, %d pages read in all (want 25)", r, pages.read)
	}
	if done, _ := l.SnapshotComplete(context.Background(), src.String()); !done.Equal(first) {
		t.Fatalf("complete since %v, want the first run's start %v", done, first)
	}
	if p, _ := l.SnapshotProgressOf(context.Background(), src.String()); p != nil {
		t.Fatalf("progress kept after completing: %+v", p)
	}
}
