package consumer

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/revoke-dev/revoke/internal/simulator"
	"github.com/revoke-dev/revoke/pkg/audit"
)

// BenchmarkConsumer1000 processes 1000-message batches (70 % JourneyApps,
// 30 % SCIM) against zero-latency simulators, with the ledger off and on
// (in memory, counting the DynamoDB calls a table would take): the
// ledger's cost is the difference in msgs/s, and ddb-calls/1000 is what
// the consumer writes per 1000 targets.
func BenchmarkConsumer1000(b *testing.B) {
	for _, withLedger := range []bool{false, true} {
		b.Run(fmt.Sprintf("ledger=%v", withLedger), func(b *testing.B) {
			w := newWorld(b, simulator.Options{})
			var bodies []any
			for i := range 1000 {
				if i%10 < 7 {
					id := fmt.Sprintf("ja-%04d", i)
					w.JA.Add(simulator.User{ID: id})
					bodies = append(bodies, msg("field-app", "journeyapps", id, ""))
				} else {
					id := fmt.Sprintf("sc-%04d", i)
					w.SC.Add(simulator.User{ID: id})
					bodies = append(bodies, msg("wiki", "scim", id, ""))
				}
			}
			ev := event(b, bodies...)
			// No rate limit worth the name: this measures revoke's own cost.
			w.store.Put("revoke/wiki", w.Secret("wiki", simulator.Settings{RatePerSecond: 10000}))
			c := w.consumer(&fakeDLQ{})
			c.Metrics = nil
			c.Log = audit.NewLogger(io.Discard, slog.LevelInfo)
			if !withLedger {
				c.Ledger = nil
			}
			b.ReportAllocs()
			b.ResetTimer()
			start := time.Now()
			calls0 := w.lstore.Calls.Load()
			for b.Loop() {
				resp, _ := c.Handle(context.Background(), ev)
				if len(resp.BatchItemFailures) > 0 {
					b.Fatal(resp.BatchItemFailures)
				}
			}
			b.ReportMetric(float64(1000*b.N)/time.Since(start).Seconds(), "msgs/s")
			b.ReportMetric(float64(w.lstore.Calls.Load()-calls0)/float64(b.N), "ddb-calls/1000")
		})
	}
}

// BenchmarkSecretFetches: 100 invocations of one warm container over four
// connections fetch each secret once per TTL.
func BenchmarkSecretFetches(b *testing.B) {
	w := newWorld(b, simulator.Options{})
	w.JA.Add(simulator.User{ID: "ja-1"})
	w.BL.Add(simulator.User{ID: "BL-1"})
	w.MX.Add(simulator.User{ID: "mx-1"})
	w.SC.Add(simulator.User{ID: "sc-1"})
	ev := event(b, msg("field-app", "journeyapps", "ja-1", ""), msg("crm", "backendless", "BL-1", ""), msg("mendix", "mendix", "mx-1", ""), msg("wiki", "scim", "sc-1", ""))
	var fetches int
	for b.Loop() {
		c := w.consumer(&fakeDLQ{})
		c.Metrics = nil
		before := w.store.Calls()
		for range 100 {
			c.Handle(context.Background(), events.SQSEvent{Records: ev.Records})
		}
		fetches = w.store.Calls() - before
	}
	b.ReportMetric(float64(fetches), "GetSecretValue/100-invocations")
}
