package rest

import (
	"context"
	"sync"

	"github.com/revoke-dev/revoke/pkg/provider"
)

// Each runs fn(i) for i in [0, n) on at most workers goroutines. fn must
// handle a done context itself (Client.Do does).
func Each(ctx context.Context, n, workers int, fn func(ctx context.Context, i int)) {
	if n == 0 {
		return
	}
	workers = min(max(workers, 1), n)
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				fn(ctx, i)
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}

// ApplyEach calls one per-user function for every user, concurrently, and
// collects the results in order: the shape of every provider without a
// batch API.
func ApplyEach(ctx context.Context, users []provider.User, workers int, call func(ctx context.Context, u provider.User) provider.Result) []provider.Result {
	out := make([]provider.Result, len(users))
	Each(ctx, len(users), workers, func(ctx context.Context, i int) { out[i] = call(ctx, users[i]) })
	return out
}

// Outcome turns a call's error into a Result: nil is Done, a 404 (or any
// not_found code) is NotFound, anything else Failed.
func Outcome(resp Response, err error) provider.Result {
	if err == nil {
		return provider.Result{Outcome: provider.Done, Status: resp.Status, Attempts: resp.Attempts}
	}
	if e := provider.As(err); e.Code == provider.CodeNotFound {
		return provider.Result{Outcome: provider.NotFound, Status: e.Status, Attempts: resp.Attempts}
	}
	return provider.Fail(err, resp.Attempts)
}
