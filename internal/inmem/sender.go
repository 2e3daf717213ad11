package inmem

import (
	"context"
	"sync"

	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/queue"
)

// Sender is a queue.Sender for tests: it records what it accepts, can
// refuse entries or fail whole calls, and can pass accepted entries on to
// a real queue (Next) first. Safe for concurrent use.
type Sender struct {
	// Next, when set, receives each call first; what it refuses is refused.
	Next queue.Sender
	// Err, when set, fails every call (nothing is sent).
	Err error
	// Refuse, when set, decides per call (1-based) and entry whether the
	// entry is refused.
	Refuse func(call, i int, m queue.Outgoing) bool

	mu    sync.Mutex
	sent  []queue.Outgoing
	calls int
}

// SendBatch implements queue.Sender.
func (s *Sender) SendBatch(ctx context.Context, url string, msgs []queue.Outgoing) ([]int, error) {
	s.mu.Lock()
	s.calls++
	call, err, refuse := s.calls, s.Err, s.Refuse
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	refused := map[int]bool{}
	var pos []int // indexes passed on
	var ok []queue.Outgoing
	for i, m := range msgs {
		if refuse != nil && refuse(call, i, m) {
			refused[i] = true
			continue
		}
		pos = append(pos, i)
		ok = append(ok, m)
	}
	if s.Next != nil && len(ok) > 0 {
		nf, err := s.Next.SendBatch(ctx, url, ok)
		if err != nil {
			return nil, err
		}
		for _, j := range nf {
			refused[pos[j]] = true
		}
	}
	var failed []int
	s.mu.Lock()
	for i, m := range msgs {
		if refused[i] {
			failed = append(failed, i)
		} else {
			s.sent = append(s.sent, m)
		}
	}
	s.mu.Unlock()
	return failed, nil
}

// Sent returns what was accepted, in order.
func (s *Sender) Sent() []queue.Outgoing {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]queue.Outgoing(nil), s.sent...)
}

// Calls counts SendBatch calls.
func (s *Sender) Calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

// Messages decodes what was accepted.
func (s *Sender) Messages() ([]*message.Message, error) {
	var out []*message.Message
	for _, o := range s.Sent() {
		m, err := message.Decode(o.Body)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}
