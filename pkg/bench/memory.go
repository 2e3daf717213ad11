package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/revoke-dev/revoke/pkg/audit"
	"github.com/revoke-dev/revoke/pkg/config"
	"github.com/revoke-dev/revoke/pkg/consumer"
	"github.com/revoke-dev/revoke/pkg/embedded"
	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/secrets"
	"github.com/revoke-dev/revoke/pkg/simulator"
)

// Memory is scenario 3's result.
type Memory struct {
	Messages      int
	PeakHeap      uint64 // bytes, sampled every millisecond
	BaselineHeap  uint64
	Wall          time.Duration
	SecretFetches int
}

// RunMemory feeds one consumer a single batch of n messages (70 %
// JourneyApps, 10 % each other provider) against zero-latency simulators
// and samples the heap while it works.
func RunMemory(ctx context.Context, n int) (*Memory, error) {
	p, err := embedded.Start(embedded.Options{})
	if err != nil {
		return nil, err
	}
	defer p.Close()
	ev := events.SQSEvent{Records: make([]events.SQSMessage, 0, n)}
	for i := range n {
		var conn, prov string
		var add interface{ Add(...simulator.User) }
		switch i % 10 {
		case 7:
			conn, prov, add = "crm", config.Backendless, p.BL
		case 8:
			conn, prov, add = "mendix", config.Mendix, p.MX
		case 9:
			conn, prov, add = "wiki", config.SCIM, p.SC
		default:
			conn, prov, add = "field-app", config.JourneyApps, p.JA
		}
		id := fmt.Sprintf("%s-%05d", conn, i)
		add.Add(simulator.User{ID: id})
		m := message.Message{V: 1, RequestID: "bench", Action: message.Revoke, Connection: conn, Provider: prov, UserID: id, RequestedAt: time.Now().UTC()}
		body, _ := m.Encode()
		ev.Records = append(ev.Records, events.SQSMessage{MessageId: fmt.Sprintf("m-%05d", i), ReceiptHandle: "r", Body: body,
			Attributes: map[string]string{"ApproximateReceiveCount": "1"}})
	}
	store := p.Secrets
	c := &consumer.Consumer{Config: p.Config, Secrets: secrets.NewCache(store, config.DefaultSecretTTL), DLQ: p.Queue,
		Log: audit.NewLogger(io.Discard, slog.LevelInfo)}
	before := store.Calls()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	res := &Memory{Messages: n, BaselineHeap: ms.HeapAlloc}
	var peak atomic.Uint64
	stop := make(chan struct{})
	go func() {
		var m runtime.MemStats
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				runtime.ReadMemStats(&m)
				if m.HeapAlloc > peak.Load() {
					peak.Store(m.HeapAlloc)
				}
			}
		}
	}()
	cctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	start := time.Now()
	resp, _ := c.Handle(cctx, ev)
	res.Wall = time.Since(start)
	close(stop)
	res.PeakHeap = peak.Load()
	res.SecretFetches = store.Calls() - before
	if len(resp.BatchItemFailures) > 0 {
		return res, fmt.Errorf("memory: %d failures", len(resp.BatchItemFailures))
	}
	return res, nil
}
