package inmem

import (
	"context"
	"fmt"
	"maps"
	"strconv"
	"sync"
	"time"

	"github.com/revoke-dev/revoke/pkg/queue"
)

// Queue is an embedded broker with SQS semantics: messages stay hidden
// for their visibility timeout after a receive, count their receives, and
// move to the queue's dead-letter queue when received more than
// MaxReceiveCount times. Queues are named by URL and created on first use.
// Safe for concurrent use.
type Queue struct {
	mu     sync.Mutex
	queues map[string]*memQ
	seq    int64
	now    func() time.Time

	// SendHook, when set, may refuse an entry (return true) before it is
	// queued: used to inject queue faults in tests.
	SendHook func(url string, i int, m queue.Outgoing) (refuse bool)
}

type memQ struct {
	msgs       []*memMsg // in send order; deleted ones are nil-ed and compacted
	byReceipt  map[string]*memMsg
	dlq        string
	maxReceive int
}

type memMsg struct {
	id, body  string
	attrs     map[string]string
	sent      time.Time
	visibleAt time.Time
	receives  int
	receipt   string
	deleted   bool
}

var _ queue.Queue = (*Queue)(nil)

// NewQueue returns an empty broker.
func NewQueue() *Queue { return NewQueueAt(time.Now) }

// NewQueueAt returns an empty broker on a clock (visibility timeouts and
// SentTimestamp follow it).
func NewQueueAt(now func() time.Time) *Queue { return &Queue{queues: map[string]*memQ{}, now: now} }

// SetRedrive makes url move a message to dlq once it has been received
// maxReceiveCount times without being deleted.
func (m *Queue) SetRedrive(url, dlq string, maxReceiveCount int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	q := m.q(url)
	q.dlq, q.maxReceive = dlq, maxReceiveCount
	m.q(dlq)
}

func (m *Queue) q(url string) *memQ {
	q, ok := m.queues[url]
	if !ok {
		q = &memQ{byReceipt: map[string]*memMsg{}}
		m.queues[url] = q
	}
	return q
}

// SendBatch implements Sender.
func (m *Queue) SendBatch(ctx context.Context, url string, msgs []queue.Outgoing) ([]int, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(msgs) > queue.MaxBatch {
		return nil, fmt.Errorf("queue: batch of %d entries exceeds %d", len(msgs), queue.MaxBatch)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var failed []int
	q := m.q(url)
	now := m.now()
	for i, o := range msgs {
		if m.SendHook != nil && m.SendHook(url, i, o) {
			failed = append(failed, i)
			continue
		}
		m.seq++
		q.msgs = append(q.msgs, &memMsg{id: "m-" + strconv.FormatInt(m.seq, 10), body: o.Body, attrs: maps.Clone(o.Attributes), sent: now, visibleAt: now})
	}
	return failed, nil
}

// Receive implements queue.Receiver.
func (m *Queue) Receive(ctx context.Context, url string, n int, visibility time.Duration) ([]queue.Received, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	q := m.q(url)
	now := m.now()
	var out []queue.Received
	for _, msg := range q.msgs {
		if len(out) >= min(max(n, 1), queue.MaxBatch) {
			break
		}
		if msg.deleted || now.Before(msg.visibleAt) {
			continue
		}
		if q.dlq != "" && q.maxReceive > 0 && msg.receives >= q.maxReceive {
			m.moveToDLQ(q, msg)
			continue
		}
		msg.receives++
		m.seq++
		delete(q.byReceipt, msg.receipt)
		msg.receipt = "r-" + strconv.FormatInt(m.seq, 10)
		q.byReceipt[msg.receipt] = msg
		msg.visibleAt = now.Add(visibility)
		out = append(out, queue.Received{
			ID: msg.id, ReceiptHandle: msg.receipt, Body: msg.body, Attributes: maps.Clone(msg.attrs),
			System: map[string]string{
				queue.AttrSentTimestamp: strconv.FormatInt(msg.sent.UnixMilli(), 10),
				queue.AttrReceiveCount:  strconv.Itoa(msg.receives),
			},
		})
	}
	q.compact()
	return out, nil
}

// moveToDLQ keeps the message's id, body, attributes and sent time, as SQS does.
func (m *Queue) moveToDLQ(q *memQ, msg *memMsg) {
	msg.deleted = true
	delete(q.byReceipt, msg.receipt)
	d := m.q(q.dlq)
	d.msgs = append(d.msgs, &memMsg{id: msg.id, body: msg.body, attrs: msg.attrs, sent: msg.sent, visibleAt: m.now()})
}

func (q *memQ) compact() {
	if len(q.msgs) < 64 {
		return
	}
	live := 0
	for _, msg := range q.msgs {
		if !msg.deleted {
			live++
		}
	}
	if live*2 > len(q.msgs) {
		return
	}
	kept := make([]*memMsg, 0, live)
	for _, msg := range q.msgs {
		if !msg.deleted {
			kept = append(kept, msg)
		}
	}
	q.msgs = kept
}

// Delete implements queue.Receiver. A stale receipt handle is an error.
func (m *Queue) Delete(ctx context.Context, url, receipt string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	q := m.q(url)
	msg, ok := q.byReceipt[receipt]
	if !ok {
		return fmt.Errorf("queue: delete: receipt handle %q is not valid", receipt)
	}
	msg.deleted = true
	delete(q.byReceipt, receipt)
	return nil
}

// ChangeVisibility implements queue.Receiver.
func (m *Queue) ChangeVisibility(ctx context.Context, url, receipt string, d time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	msg, ok := m.q(url).byReceipt[receipt]
	if !ok || msg.deleted {
		return fmt.Errorf("queue: change visibility: receipt handle %q is not valid", receipt)
	}
	msg.visibleAt = m.now().Add(d)
	return nil
}

// Stats counts a queue's messages: visible, in flight (hidden) and total.
func (m *Queue) Stats(url string) (visible, inFlight int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	for _, msg := range m.q(url).msgs {
		switch {
		case msg.deleted:
		case now.Before(msg.visibleAt):
			inFlight++
		default:
			visible++
		}
	}
	return visible, inFlight
}

// Peek returns copies of every live message in url, in send order, without
// receiving them (no visibility or receive-count change).
func (m *Queue) Peek(url string) []queue.Received {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []queue.Received
	for _, msg := range m.q(url).msgs {
		if !msg.deleted {
			out = append(out, queue.Received{ID: msg.id, Body: msg.body, Attributes: maps.Clone(msg.attrs),
				System: map[string]string{queue.AttrReceiveCount: strconv.Itoa(msg.receives), queue.AttrSentTimestamp: strconv.FormatInt(msg.sent.UnixMilli(), 10)}})
		}
	}
	return out
}
