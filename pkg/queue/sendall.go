package queue

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/revoke-dev/revoke/pkg/retry"
)

// sendParallel bounds concurrent batch calls of one SendAll.
const sendParallel = 8

// SendAll sends every message in batches of MaxBatch, batches in parallel,
// retrying refused entries and failed calls with back-off (p; callers
// pass retry.AWS) until the context's deadline or the policy's attempts
// run out. It returns the indexes (into msgs, ascending) of the messages that were NOT sent, and the
// last error seen when that list is not empty.
func SendAll(ctx context.Context, s Sender, url string, msgs []Outgoing, p retry.Policy) ([]int, error) {
	var (
		mu      sync.Mutex
		unsent  []int
		lastErr error
	)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(sendParallel)
	for start := 0; start < len(msgs); start += MaxBatch {
		idx := make([]int, 0, MaxBatch)
		for i := start; i < min(start+MaxBatch, len(msgs)); i++ {
			idx = append(idx, i)
		}
		g.Go(func() error {
			left, err := sendBatch(gctx, s, url, msgs, idx, p)
			if len(left) > 0 {
				mu.Lock()
				unsent = append(unsent, left...)
				lastErr = err
				mu.Unlock()
			}
			return nil // one batch failing must not cancel the others
		})
	}
	_ = g.Wait()
	slices.Sort(unsent)
	if len(unsent) > 0 && lastErr == nil {
		lastErr = errors.New("queue: messages were not sent")
	}
	return unsent, lastErr
}

func sendBatch(ctx context.Context, s Sender, url string, all []Outgoing, idx []int, p retry.Policy) ([]int, error) {
	pending := idx
	_, err := retry.Do(ctx, p, func(ctx context.Context, _ int) error {
		batch := make([]Outgoing, len(pending))
		for i, j := range pending {
			batch[i] = all[j]
		}
		failed, err := s.SendBatch(ctx, url, batch)
		if err != nil {
			return retry.Transient(fmt.Errorf("queue: send batch: %w", err))
		}
		if len(failed) == 0 {
			pending = nil
			return nil
		}
		next := make([]int, 0, len(failed))
		for _, f := range failed {
			if f >= 0 && f < len(pending) {
				next = append(next, pending[f])
			}
		}
		pending = next
		return retry.Transient(fmt.Errorf("queue: %d of %d entries refused", len(failed), len(batch)))
	})
	return pending, err
}
