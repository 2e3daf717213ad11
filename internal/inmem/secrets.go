package inmem

import (
	"context"
	"fmt"
	"sync"

	"github.com/revoke-dev/revoke/pkg/secrets"
)

// Secrets is an in-memory secrets.Store. The zero value is empty and ready.
type Secrets struct {
	mu    sync.Mutex
	vals  map[string]string
	calls int
	err   error
}

var _ secrets.Store = (*Secrets)(nil)

// Put sets a secret's value.
func (m *Secrets) Put(id, value string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.vals == nil {
		m.vals = map[string]string{}
	}
	m.vals[id] = value
}

// SetFailure makes every Get fail with err (nil: work again).
func (m *Secrets) SetFailure(err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.err = err
}

// Get implements secrets.Store.
func (m *Secrets) Get(ctx context.Context, id string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls++
	if m.err != nil {
		return "", m.err
	}
	v, ok := m.vals[id]
	if !ok {
		return "", fmt.Errorf("secrets: %s: %w", id, secrets.ErrNotFound)
	}
	return v, nil
}

// Calls reports how many times Get was called.
func (m *Secrets) Calls() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.calls
}
