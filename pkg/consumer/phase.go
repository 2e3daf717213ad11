package consumer

import (
	"context"
	"sync"
)

// phase tracks an invocation's change work: it ends when every group that
// changes something has made its changes. Read-backs that would run past
// it travel on as proof messages, so an invocation lasts as long as its
// changes and the proofs that fit beside them, and the next batch's
// changes do not wait for this batch's proofs (docs/design.md §4).
type phase struct {
	mu      sync.Mutex
	pending int
	ctx     context.Context // done when the change work is over
	end     context.CancelFunc
}

func newPhase(ctx context.Context, pending int) *phase {
	p := &phase{pending: pending}
	p.ctx, p.end = context.WithCancel(ctx)
	if pending <= 0 {
		p.end()
	}
	return p
}

// add registers n more change groups (n may be negative).
func (p *phase) add(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pending += n
	if p.pending <= 0 {
		p.end()
	}
}

// done marks one change group's changes made.
func (p *phase) done() { p.add(-1) }

// over is done once every change of the invocation has been made.
func (p *phase) over() context.Context { return p.ctx }
