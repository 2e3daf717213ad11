package consumer

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/revoke-dev/revoke/pkg/simulator"
)

// BenchmarkConsumer1000 processes 1000-message batches (70 % JourneyApps,
// 30 % SCIM) against zero-latency simulators.
func BenchmarkConsumer1000(b *testing.B) {
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
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		resp, _ := c.Handle(context.Background(), ev)
		if len(resp.BatchItemFailures) > 0 {
			b.Fatal(resp.BatchItemFailures)
		}
	}
	b.ReportMetric(float64(1000*b.N)/time.Since(start).Seconds(), "msgs/s")
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
