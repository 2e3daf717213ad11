package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/revoke-dev/revoke/internal/embedded"
	"github.com/revoke-dev/revoke/internal/simulator"
	"github.com/revoke-dev/revoke/pkg/audit"
	"github.com/revoke-dev/revoke/pkg/config"
	"github.com/revoke-dev/revoke/pkg/consumer"
	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/provider/registry"
	"github.com/revoke-dev/revoke/pkg/secrets"
)

// Memory is scenario 3's result.
type Memory struct {
	Messages      int
	Huge          bool   // every provider answered 500 with a 32 MiB body
	PeakHeap      uint64 // bytes, sampled every millisecond
	BaselineHeap  uint64
	Wall          time.Duration
	SecretFetches int
	Failures      int // messages reported for retry
}

// batchEvent builds one SQS event of n revoke messages: 70 % on the first
// connection of the fleet, 10 % on each other, with users added to the
// simulators.
func batchEvent(p *embedded.Pipeline, n int) events.SQSEvent {
	conns := p.ConnectionNames()
	ev := events.SQSEvent{Records: make([]events.SQSMessage, 0, n)}
	h := message.Header{RequestID: message.NewID(), Action: message.Revoke, Source: message.SourceAPI, Actor: "token:bench", RequestedAt: time.Now()}
	for i := range n {
		k := max(0, i%10-6) // 0..6 → 0, 7 → 1, 8 → 2, 9 → 3
		conn := conns[k%len(conns)]
		id := fmt.Sprintf("%s-%05d", conn, i)
		p.Sim(conn).Add(simulator.User{ID: id})
		m := message.New(h, message.Target{Connection: conn, Provider: p.Kind(conn), UserID: id})
		body, _ := m.Encode()
		ev.Records = append(ev.Records, events.SQSMessage{MessageId: fmt.Sprintf("m-%05d", i), ReceiptHandle: "r", Body: body,
			Attributes: map[string]string{"ApproximateReceiveCount": "1"}})
	}
	return ev
}

// RunMemory feeds one consumer a single batch of n messages against
// zero-latency simulators and samples the heap while it works. With huge,
// every provider request fails with a 32 MiB error body (revoke reads at
// most 64 KiB of it): the messages are reported for retry and the heap
// must stay as small.
func RunMemory(ctx context.Context, n int, huge bool) (*Memory, error) {
	var sims map[string]simulator.Options
	if huge {
		sims = map[string]simulator.Options{}
		for _, k := range registry.Builtin().Names() {
			sims[k] = simulator.Options{FaultRate: 1, Faults: []string{simulator.FaultHuge}}
		}
	}
	p, err := embedded.Start(embedded.Options{Sims: sims})
	if err != nil {
		return nil, err
	}
	defer p.Close()
	ev := batchEvent(p, n)
	store := p.Secrets
	c := &consumer.Consumer{Config: p.Config, Secrets: secrets.NewCache(store, config.DefaultSecretTTL), DLQ: p.Queue,
		Ledger: p.Ledger, Log: audit.NewLogger(io.Discard, slog.LevelInfo)}
	before := store.Calls()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	res := &Memory{Messages: n, Huge: huge, BaselineHeap: ms.HeapAlloc}
	stop := sampleHeap(&res.PeakHeap)
	cctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	start := time.Now()
	resp, _ := c.Handle(cctx, ev)
	res.Wall = time.Since(start)
	stop()
	res.SecretFetches = store.Calls() - before
	res.Failures = len(resp.BatchItemFailures)
	if !huge && res.Failures > 0 {
		return res, fmt.Errorf("memory: %d failures", res.Failures)
	}
	if huge && res.Failures != n {
		return res, fmt.Errorf("memory: %d of %d messages reported for retry against failing providers", res.Failures, n)
	}
	return res, nil
}
