package secrets

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

type slowStore struct {
	calls atomic.Int32
	gate  chan struct{}
	val   string
	err   error
}

func (s *slowStore) Get(ctx context.Context, id string) (string, error) {
	s.calls.Add(1)
	if s.gate != nil {
		<-s.gate
	}
	return s.val, s.err
}

func TestCacheTTL(t *testing.T) {
	now := time.Unix(1000, 0)
	st := &slowStore{val: "v1"}
	c := &Cache{Store: st, TTL: 5 * time.Minute, Now: func() time.Time { return now }}
	ctx := context.Background()
	for range 100 {
		if v, err := c.Get(ctx, "s"); err != nil || v != "v1" {
			t.Fatal(v, err)
		}
	}
	if n := st.calls.Load(); n != 1 {
		t.Fatalf("100 reads within the TTL made %d fetches", n)
	}
	st.val = "v2"
	now = now.Add(5*time.Minute + time.Second)
	if v, _ := c.Get(ctx, "s"); v != "v2" || st.calls.Load() != 2 {
		t.Fatalf("after the TTL: %q, %d fetches", v, st.calls.Load())
	}
	// Refresh respects minAge, then fetches.
	if v, _ := c.Refresh(ctx, "s", time.Minute); v != "v2" || st.calls.Load() != 2 {
		t.Fatal("refresh of a fresh value fetched")
	}
	st.val = "v3"
	if v, _ := c.Refresh(ctx, "s", 0); v != "v3" || st.calls.Load() != 3 {
		t.Fatalf("refresh: %q", v)
	}
}

func TestCacheSingleFlight(t *testing.T) {
	st := &slowStore{val: "v", gate: make(chan struct{})}
	c := NewCache(st, time.Minute)
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if v, err := c.Get(context.Background(), "s"); v != "v" || err != nil {
				t.Error(v, err)
			}
		}()
	}
	time.Sleep(50 * time.Millisecond)
	close(st.gate)
	wg.Wait()
	if n := st.calls.Load(); n != 1 {
		t.Fatalf("50 concurrent readers made %d fetches, want 1", n)
	}
}

func TestCacheDoesNotCacheErrors(t *testing.T) {
	st := &slowStore{err: ErrNotFound}
	c := NewCache(st, time.Minute)
	for range 2 {
		if _, err := c.Get(context.Background(), "s"); !errors.Is(err, ErrNotFound) {
			t.Fatal(err)
		}
	}
	if st.calls.Load() != 2 {
		t.Fatal("an error was cached")
	}
}
