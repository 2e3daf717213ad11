package inmem

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/revoke-dev/revoke/pkg/queue"
	"github.com/revoke-dev/revoke/pkg/retry"

	"github.com/aws/aws-lambda-go/events"
)

// Handler is an SQS-triggered Lambda handler with partial batch responses.
type Handler func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error)

// Poller does what Lambda's SQS event source mapping does, for the demo,
// the integration tests and the benchmarks: receive up to BatchSize
// messages (gathering for at most Window), invoke the handler with a
// deadline, then delete every message except the reported failures, which
// reappear after the visibility timeout. A handler error or panic deletes
// nothing (the whole batch is retried), as in Lambda.
type Poller struct {
	Queue      queue.Receiver
	URL        string
	ARN        string        // EventSourceARN in the events
	BatchSize  int           // default 10
	Window     time.Duration // MaximumBatchingWindow; 0: one receive
	Visibility time.Duration // the queue's visibility timeout
	Timeout    time.Duration // the function's timeout (default 30 s)
}

// ErrCrashed is returned by Once when the handler panicked.
var ErrCrashed = errors.New("queue: handler crashed")

// Once polls one batch. It returns how many messages were delivered and
// how many were deleted.
func (p *Poller) Once(ctx context.Context, h Handler) (delivered, deleted int, err error) {
	batch := max(p.BatchSize, 1)
	var msgs []queue.Received
	deadline := time.Now().Add(p.Window)
	// Like Lambda: gather until the batch is full or the window has passed
	// (without a window, one receive), then invoke with what there is.
	for len(msgs) < batch {
		got, err := p.Queue.Receive(ctx, p.URL, min(queue.MaxBatch, batch-len(msgs)), p.Visibility)
		if err != nil {
			return 0, 0, err
		}
		msgs = append(msgs, got...)
		if !time.Now().Before(deadline) || (len(got) == 0 && len(msgs) == 0) {
			break
		}
		if len(got) == 0 && !retry.Sleep(ctx, min(20*time.Millisecond, time.Until(deadline))) {
			break
		}
	}
	if len(msgs) == 0 {
		return 0, 0, nil
	}
	ev := events.SQSEvent{Records: make([]events.SQSMessage, len(msgs))}
	for i, m := range msgs {
		ev.Records[i] = ToEvent(m, p.ARN)
	}
	timeout := p.Timeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	hctx, cancel := context.WithTimeout(ctx, timeout)
	resp, herr := invoke(hctx, h, ev)
	cancel()
	if herr != nil {
		return len(msgs), 0, herr
	}
	failed := map[string]bool{}
	for _, f := range resp.BatchItemFailures {
		failed[f.ItemIdentifier] = true
	}
	var wg sync.WaitGroup
	var n atomic.Int64
	for _, m := range msgs {
		if failed[m.ID] {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := p.Queue.Delete(ctx, p.URL, m.ReceiptHandle); err == nil {
				n.Add(1)
			}
		}()
	}
	wg.Wait()
	return len(msgs), int(n.Load()), nil
}

func invoke(ctx context.Context, h Handler, ev events.SQSEvent) (resp events.SQSEventResponse, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%w: %v", ErrCrashed, p)
		}
	}()
	return h(ctx, ev)
}

// ToEvent converts a received message into the Lambda event record.
func ToEvent(m queue.Received, arn string) events.SQSMessage {
	rec := events.SQSMessage{
		MessageId: m.ID, ReceiptHandle: m.ReceiptHandle, Body: m.Body,
		Attributes: m.System, EventSource: "aws:sqs", EventSourceARN: arn, AWSRegion: "us-east-1",
	}
	if len(m.Attributes) > 0 {
		rec.MessageAttributes = make(map[string]events.SQSMessageAttribute, len(m.Attributes))
		for k, v := range m.Attributes {
			v := v
			rec.MessageAttributes[k] = events.SQSMessageAttribute{StringValue: &v, DataType: "String"}
		}
	}
	return rec
}
