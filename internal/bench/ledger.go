package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/revoke-dev/revoke/internal/embedded"
	"github.com/revoke-dev/revoke/internal/simulator"
	"github.com/revoke-dev/revoke/pkg/audit"
	"github.com/revoke-dev/revoke/pkg/config"
	"github.com/revoke-dev/revoke/pkg/consumer"
	"github.com/revoke-dev/revoke/pkg/secrets"
)

// LedgerCost is the ledger scenario's result.
type LedgerCost struct {
	Batch             int           // messages per consumer invocation
	Runs              int           // invocations timed each way, interleaved
	Without, With     time.Duration // median invocation time without and with the ledger
	CallsPer1000      float64       // DynamoDB calls the consumer makes per 1000 targets
	StatusTargets     int           // targets of the request read back
	StatusPages       int           // GET /revocations/{id} pages (limit 1000)
	StatusStoreCalls  int           // DynamoDB calls those pages took
	StatusStoreCallsC int           // … and with ?format=csv
}

// RunLedger measures what the ledger costs the consumer (a 1000-message
// batch with and without it, against zero-latency simulators) and what
// reading a 1000-target request's status costs.
func RunLedger(ctx context.Context, batch, runs int) (*LedgerCost, error) {
	p, err := embedded.Start(embedded.Options{})
	if err != nil {
		return nil, err
	}
	defer p.Close()
	res := &LedgerCost{Batch: batch, Runs: runs}
	ev := batchEvent(p, batch)
	// As Lambda's consumer.New: proofs the batch's change work leaves no
	// room for go to the queue (nobody reads them here).
	c := &consumer.Consumer{Config: p.Config, Secrets: secrets.NewCache(p.Secrets, config.DefaultSecretTTL), DLQ: p.Queue, Proofs: p.Queue,
		Ledger: p.Ledger, Log: audit.NewLogger(io.Discard, slog.LevelInfo)}
	var with, without []time.Duration
	var calls int64
	for r := range runs + 1 {
		for _, on := range []bool{false, true} {
			c.Ledger = nil
			if on {
				c.Ledger = p.Ledger
			}
			before := p.LedgerStore.Calls.Load()
			start := time.Now()
			resp, _ := c.Handle(ctx, ev)
			d := time.Since(start)
			if len(resp.BatchItemFailures) > 0 {
				return nil, fmt.Errorf("ledger: %d failures", len(resp.BatchItemFailures))
			}
			if r == 0 {
				continue // warm-up: clients built, secrets cached
			}
			if on {
				with = append(with, d)
				calls += p.LedgerStore.Calls.Load() - before
			} else {
				without = append(without, d)
			}
		}
	}
	res.Without, res.With = median(without), median(with)
	res.CallsPer1000 = float64(calls) / float64(runs) * 1000 / float64(batch)

	// A 1000-target request, settled, read back.
	var targets []string
	for i := range 1000 {
		conn := p.ConnectionNames()[0]
		id := fmt.Sprintf("status-%04d", i)
		p.Sim(conn).Add(simulatorUser(id))
		targets = append(targets, fmt.Sprintf(`{"connection":%q,"user_id":%q}`, conn, id))
	}
	r := p.Call(ctx, "POST", "/revocations", `{"reason":"bench","targets":[`+strings.Join(targets, ",")+`]}`)
	if r.Status != 202 {
		return nil, fmt.Errorf("ledger: submit answered %d: %s", r.Status, r.Body)
	}
	rctx, cancel := context.WithCancel(ctx)
	wg := p.Run(rctx)
	for deadline := time.Now().Add(2 * time.Minute); p.Pending() > 0 && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	wg.Wait()
	res.StatusTargets = 1000
	before := p.LedgerStore.Calls.Load()
	cursor := ""
	for {
		path := "/revocations/" + r.RequestID + "?limit=1000"
		if cursor != "" {
			path += "&cursor=" + cursor
		}
		st := p.Call(ctx, "GET", path, "")
		if st.Status != 200 {
			return nil, fmt.Errorf("ledger: status answered %d: %s", st.Status, st.Body)
		}
		res.StatusPages++
		next := nextCursor(st.Body)
		if next == "" {
			break
		}
		cursor = next
	}
	res.StatusStoreCalls = int(p.LedgerStore.Calls.Load() - before)
	before = p.LedgerStore.Calls.Load()
	if st := p.Call(ctx, "GET", "/revocations/"+r.RequestID+"?format=csv", ""); st.Status != 200 {
		return nil, fmt.Errorf("ledger: csv answered %d", st.Status)
	}
	res.StatusStoreCallsC = int(p.LedgerStore.Calls.Load() - before)
	return res, nil
}

func median(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

func simulatorUser(id string) simulator.User { return simulator.User{ID: id} }

// nextCursor reads "next" from a status or history body ("" at the end).
func nextCursor(body string) string {
	var b struct{ Next *string }
	if json.Unmarshal([]byte(body), &b) != nil || b.Next == nil {
		return ""
	}
	return url.QueryEscape(*b.Next)
}
