package secrets

import (
	"context"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// Cache is a Store that remembers values for TTL and lets only one fetch per
// secret be in flight; concurrent callers share its result. Errors are not
// cached. Safe for concurrent use.
type Cache struct {
	Store Store
	TTL   time.Duration
	Now   func() time.Time // nil means time.Now

	mu      sync.Mutex
	entries map[string]entry
	group   singleflight.Group
}

type entry struct {
	value   string
	fetched time.Time
}

var _ Store = (*Cache)(nil)

// NewCache returns a cache over store.
func NewCache(store Store, ttl time.Duration) *Cache {
	return &Cache{Store: store, TTL: ttl}
}

func (c *Cache) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// Get returns the cached value while it is fresh, else fetches it.
func (c *Cache) Get(ctx context.Context, id string) (string, error) {
	c.mu.Lock()
	e, ok := c.entries[id]
	c.mu.Unlock()
	if ok && c.now().Sub(e.fetched) < c.TTL {
		return e.value, nil
	}
	return c.fetch(ctx, id)
}

// Refresh drops the cached value (if it is older than minAge) and fetches
// the secret again: used after a 401/403 in case the credential rotated.
func (c *Cache) Refresh(ctx context.Context, id string, minAge time.Duration) (string, error) {
	c.mu.Lock()
	e, ok := c.entries[id]
	c.mu.Unlock()
	if ok && c.now().Sub(e.fetched) < minAge {
		return e.value, nil
	}
	return c.fetch(ctx, id)
}

func (c *Cache) fetch(ctx context.Context, id string) (string, error) {
	v, err, _ := c.group.Do(id, func() (any, error) {
		// The shared fetch must not be cut short by one caller's context.
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		val, err := c.Store.Get(fctx, id)
		if err != nil {
			return "", err
		}
		c.mu.Lock()
		if c.entries == nil {
			c.entries = map[string]entry{}
		}
		c.entries[id] = entry{value: val, fetched: c.now()}
		c.mu.Unlock()
		return val, nil
	})
	if err != nil {
		return "", err
	}
	return v.(string), nil
}
