package queue

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/revoke-dev/revoke/pkg/retry"
)

func TestMemorySemantics(t *testing.T) {
	ctx := context.Background()
	now := time.Unix(1000, 0)
	m := NewMemory()
	m.now = func() time.Time { return now }
	m.SetRedrive("q", "dlq", 2)
	if failed, err := m.SendBatch(ctx, "q", []Outgoing{{Body: "a", Attributes: map[string]string{"k": "v"}}, {Body: "b"}}); err != nil || len(failed) != 0 {
		t.Fatal(failed, err)
	}
	got, _ := m.Receive(ctx, "q", 10, 30*time.Second)
	if len(got) != 2 || got[0].Body != "a" || got[0].Attributes["k"] != "v" || got[0].System[AttrReceiveCount] != "1" {
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
	if len(got) != 1 || got[0].System[AttrReceiveCount] != "2" {
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

// flaky refuses every entry of the first calls, then accepts.
type flaky struct {
	mu             sync.Mutex
	calls, failFor int
	sent           []string
	err            error
}

func (f *flaky) SendBatch(_ context.Context, _ string, msgs []Outgoing) ([]int, error) {
	f.mu.Lock() // SendAll sends batches in parallel
	defer f.mu.Unlock()
	f.calls++
	if f.err != nil {
		return nil, f.err
	}
	if f.calls <= f.failFor {
		var all []int
		for i := range msgs {
			all = append(all, i)
		}
		return all, nil
	}
	for _, m := range msgs {
		f.sent = append(f.sent, m.Body)
	}
	return nil, nil
}

func TestSendAll(t *testing.T) {
	msgs := make([]Outgoing, 25)
	for i := range msgs {
		msgs[i].Body = fmt.Sprint(i)
	}
	p := retry.Policy{Attempts: 5, Base: time.Millisecond, Max: time.Millisecond}
	f := &flaky{failFor: 2}
	unsent, err := SendAll(context.Background(), f, "q", msgs, p)
	if len(unsent) != 0 || err != nil || len(f.sent) != 25 {
		t.Fatalf("unsent %v err %v sent %d", unsent, err, len(f.sent))
	}
	unsent, err = SendAll(context.Background(), &flaky{err: errors.New("down")}, "q", msgs, p)
	if len(unsent) != 25 || err == nil {
		t.Fatalf("unsent %d err %v", len(unsent), err)
	}
}

func TestPollerDeletesAllButFailures(t *testing.T) {
	ctx := context.Background()
	m := NewMemory()
	_, _ = m.SendBatch(ctx, "q", []Outgoing{{Body: "ok"}, {Body: "fail"}, {Body: "ok2"}})
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
	_, _ = m.SendBatch(ctx, "q2", []Outgoing{{Body: "x"}})
	p.URL = "q2"
	if _, deleted, err := p.Once(ctx, func(context.Context, events.SQSEvent) (events.SQSEventResponse, error) { panic("boom") }); !errors.Is(err, ErrCrashed) || deleted != 0 {
		t.Fatalf("crash: deleted %d err %v", deleted, err)
	}
}
