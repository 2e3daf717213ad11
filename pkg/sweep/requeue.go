package sweep

import (
	"context"
	"time"
)

// requeueAfter is how long a request may stay with unqueued targets
// before the sweep queues them (its caller never repeated it).
const requeueAfter = 5 * time.Minute

// requeueBatch bounds the requests one run completes.
const requeueBatch = 100

// requeue is the backstop of "nothing recorded is ever lost between the
// ledger and the queue": requests whose targets stayed unqueued for 5
// minutes get them queued now. It returns how many targets it queued and
// whether it finished.
func (s *Sweeper) requeue(ctx, work context.Context) (int, bool) {
	if s.Ledger == nil || s.Submit == nil {
		return 0, true
	}
	reqs, err := s.Ledger.Unqueued(work, s.now().Add(-requeueAfter), requeueBatch)
	if err != nil {
		s.Log.Error("sweep: listing unqueued requests", "error", err)
		return 0, false
	}
	n, ok := 0, true
	for _, r := range reqs {
		rec, err := s.Ledger.LoadUnqueued(work, r.ID)
		if err == nil {
			unq := len(rec.Unqueued())
			if err = s.Submit.Requeue(ctx, rec); err == nil {
				n += unq
			}
		}
		if err != nil {
			ok = false
			s.Log.Error("sweep: queueing an unqueued request", "request_id", r.ID, "error", err)
		}
	}
	return n, ok
}
