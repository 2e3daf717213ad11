package inmem

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/revoke-dev/revoke/pkg/queue"
)

func TestMemorySemantics(t *testing.T) {
	ctx := context.Background()
	now := time.Unix(1000, 0)
	m := NewQueue()
	m.now = func() time.Time { return now }
	m.SetRedrive("q", "dlq", 2)
	if failed, err := m.SendBatch(ctx, "q", []queue.Outgoing{{Body: "a", Attributes: map[string]string{"k": "v"}}, {Body: "b"}}); err != nil || len(failed) != 0 {
		t.Fatal(failed, err)
	}
	got, _ := m.Receive(ctx, "q", 10, 30*time.Second)
	if len(got) != 2 || got[0].Body != "a" || got[0].Attributes["k"] != "v" || got[0].System[queue.AttrReceiveCount] != "1" {
		t.Fatalf("%+v", got)
	}
	if again, _ := m.Receive(ctx, "q", 10, 30*time.Second); len(again) != 0 {
		t.Fatal("hidden messages were delivered again")
	}
	if err := m.Delete(ctx, "q", got[1].ReceiptHandle); err != nil {
		t.Fatal(err)
	}
	now = now.Add(31 * time.Second)
	got, _ = m.Receive(ctx, "q", 10, 30*time.Second)
	if len(got) != 1 || got[0].System[queue.AttrReceiveCount] != "2" {
		t.Fatalf("redelivery: %+v", got)
	}
	if err := m.Delete(ctx, "q", "stale"); err == nil {
		t.Fatal("a stale receipt handle deleted something")
	}
	now = now.Add(31 * time.Second)
	if got, _ = m.Receive(ctx, "q", 10, 30*time.Second); len(got) != 0 {
		t.Fatal("a message past maxReceiveCount was delivered")
	}
	dead := m.Peek("dlq")
	if len(dead) != 1 || dead[0].Body != "a" || dead[0].Attributes["k"] != "v" {
		t.Fatalf("DLQ: %+v", dead)
	}
}

func TestPollerDeletesAllButFailures(t *testing.T) {
	ctx := context.Background()
	m := NewQueue()
	_, _ = m.SendBatch(ctx, "q", []queue.Outgoing{{Body: "ok"}, {Body: "fail"}, {Body: "ok2"}})
	p := &Poller{Queue: m, URL: "q", BatchSize: 10, Visibility: time.Minute}
	n, deleted, err := p.Once(ctx, func(_ context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		var r events.SQSEventResponse
		for _, rec := range ev.Records {
			if rec.Body == "fail" {
				r.BatchItemFailures = append(r.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: rec.MessageId})
			}
		}
		return r, nil
	})
	if n != 3 || deleted != 2 || err != nil {
		t.Fatalf("n %d deleted %d err %v", n, deleted, err)
	}
	if _, f := m.Stats("q"); f != 1 {
		t.Fatalf("in flight %d, want the failure only", f)
	}
	_, _ = m.SendBatch(ctx, "q2", []queue.Outgoing{{Body: "x"}})
	p.URL = "q2"
	if _, deleted, err := p.Once(ctx, func(context.Context, events.SQSEvent) (events.SQSEventResponse, error) { panic("boom") }); !errors.Is(err, ErrCrashed) || deleted != 0 {
		t.Fatalf("crash: deleted %d err %v", deleted, err)
	}
}
