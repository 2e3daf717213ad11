package bench

import (
	"context"
	"fmt"
	"net/url"
	"runtime"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"time"

	"github.com/revoke-dev/revoke/internal/embedded"
	"github.com/revoke-dev/revoke/internal/inmem"
	"github.com/revoke-dev/revoke/pkg/ledger"
	"github.com/revoke-dev/revoke/pkg/message"
)

// StatusCost is the bounded-reads scenario's result: one large request
// read back through the API, as JSON and as CSV, every page.
type StatusCost struct {
	Targets  int
	Baseline uint64     // heap with the request in the in-memory ledger, before the reads (bytes)
	JSON     StatusRead // GET /revocations/{id}?limit=1000, every page
	CSV      StatusRead // GET /revocations/{id}?format=csv, every page (X-Next-Cursor)
}

// StatusRead is one way of reading the whole request.
type StatusRead struct {
	Pages         int
	Wall          time.Duration
	MaxBody       int    // the largest response body (bytes)
	MaxPageCalls  int64  // the most DynamoDB calls one page took
	Calls         int64  // DynamoDB calls in all
	PeakHeap      uint64 // the heap's peak while reading (bytes, sampled every millisecond)
	PeakAboveBase uint64 // PeakHeap − Baseline
}

// RunStatus records a request of n email targets, each resolved to an
// account and done (with a 200-byte message, as an error text might be),
// straight into the embedded pipeline's in-memory ledger, then reads it
// back through the API handler page by page, from a read-only store that
// pages as DynamoDB does. The stored items are in the baseline: a Lambda's
// heap holds only the page.
func RunStatus(ctx context.Context, n int) (*StatusCost, error) {
	p, err := embedded.Start(embedded.Options{})
	if err != nil {
		return nil, err
	}
	defer p.Close()
	// The request is written to a store of its own, frozen, and that store
	// dropped: the baseline holds the items once.
	id, frozen, err := frozenRequest(ctx, p.ConnectionNames()[0], n)
	if err != nil {
		return nil, err
	}
	p.API.Ledger = ledger.New(frozen, 0)
	res := &StatusCost{Targets: n}
	// Collect as soon as the heap grows 2 % past the live data, so the
	// peak measures what the reads hold, not the collector's slack.
	defer debug.SetGCPercent(debug.SetGCPercent(2))
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	res.Baseline = ms.HeapAlloc
	for _, csv := range []bool{false, true} {
		r, err := readAll(ctx, p, frozen, id, csv, n)
		if err != nil {
			return nil, err
		}
		r.PeakAboveBase = r.PeakHeap - min(r.PeakHeap, res.Baseline)
		if csv {
			res.CSV = *r
		} else {
			res.JSON = *r
		}
		runtime.GC()
	}
	return res, nil
}

// frozenRequest records a request of n email targets on conn, every one
// done, in an in-memory ledger of its own, and returns it frozen.
func frozenRequest(ctx context.Context, conn string, n int) (string, *frozenStore, error) {
	l := ledger.New(inmem.NewStore(time.Now), 0)
	id, err := bigRequest(ctx, l, conn, n)
	if err != nil {
		return "", nil, err
	}
	f, err := freeze(ctx, l.Store, "REQ#"+id)
	return id, f, err
}

// bigRequest writes a request of n email targets on conn, every one done.
func bigRequest(ctx context.Context, l *ledger.Ledger, conn string, n int) (string, error) {
	r := ledger.Request{ID: message.NewID(), Action: message.Revoke, Source: message.SourceSweep, Actor: "sweep", RequestedAt: time.Now(), Complete: true}
	ts := make([]ledger.Target, n)
	for i := range ts {
		ts[i] = ledger.TargetOf(message.Target{Connection: conn, Provider: "journeyapps", Email: fmt.Sprintf("leaver-%06d@corp.example", i)})
	}
	if err := l.CreateRequest(ctx, r, ts); err != nil {
		return "", err
	}
	yes := true
	for start := 0; start < n; start += 1000 {
		var as []ledger.Attempt
		for _, t := range ts[start:min(start+1000, n)] {
			as = append(as, ledger.Attempt{RequestID: r.ID, Key: t.Key, MessageID: message.NewID(), Outcome: message.Done, Receive: 1, At: time.Now(),
				Verified: &yes, ResolvedIDs: []string{"ja-" + t.Key[2:14]}, Message: strings.Repeat("m", 200), HTTPStatus: 200, RequestedAt: r.RequestedAt})
		}
		if err := l.RecordAttempts(ctx, as); err != nil {
			return "", err
		}
	}
	return r.ID, nil
}

// readAll reads every page of the request's status, sampling the heap.
func readAll(ctx context.Context, p *embedded.Pipeline, store *frozenStore, id string, csv bool, n int) (*StatusRead, error) {
	res := &StatusRead{}
	stop := sampleHeap(&res.PeakHeap)
	defer stop()
	start, cursor, rows := time.Now(), "", 0
	for {
		q := url.Values{"limit": {"1000"}}
		if csv {
			q = url.Values{"format": {"csv"}}
		}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		before := store.calls.Load()
		r := p.Call(ctx, "GET", "/revocations/"+id+"?"+q.Encode(), "")
		calls := store.calls.Load() - before
		if r.Status != 200 {
			return nil, fmt.Errorf("status: page %d answered %d: %.200s", res.Pages, r.Status, r.Body)
		}
		res.Pages++
		res.Calls += calls
		res.MaxPageCalls = max(res.MaxPageCalls, calls)
		res.MaxBody = max(res.MaxBody, len(r.Body))
		if csv {
			rows += strings.Count(r.Body, "\n") - 1
			cursor = r.Header["X-Next-Cursor"]
		} else {
			rows += strings.Count(r.Body, `"connection":`)
			cursor, _ = url.QueryUnescape(nextCursor(r.Body))
		}
		if cursor == "" {
			break
		}
	}
	res.Wall = time.Since(start)
	if rows != n {
		return nil, fmt.Errorf("status: %d of %d targets read (csv %v)", rows, n, csv)
	}
	return res, nil
}

// sampleHeap records the heap's peak in *peak every millisecond until the
// returned stop is called.
func sampleHeap(peak *uint64) (stop func()) {
	var max atomic.Uint64
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		var m runtime.MemStats
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				runtime.ReadMemStats(&m)
				if m.HeapAlloc > max.Load() {
					max.Store(m.HeapAlloc)
				}
			}
		}
	}()
	return func() {
		close(done)
		<-finished
		*peak = max.Load()
	}
}
