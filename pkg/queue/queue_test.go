package queue

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/revoke-dev/revoke/pkg/retry"
)

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
