package rest

import (
	"context"
	"net/http"
	"runtime/debug"
	"sync"

	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/provider"
)

// Each runs fn(i) for i in [0, n) on at most workers goroutines. fn must
// handle a done context itself (Client.Do does). A panic in fn(i) is
// recovered and reported to failed(i, err) with a retryable error, so no
// index is ever left without an answer.
func Each(ctx context.Context, n, workers int, fn func(ctx context.Context, i int), failed func(i int, err error)) {
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
				safely(ctx, i, fn, failed)
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}

func safely(ctx context.Context, i int, fn func(ctx context.Context, i int), failed func(i int, err error)) {
	defer func() {
		if p := recover(); p != nil {
			failed(i, provider.Panicked("provider call", debug.Stack()))
		}
	}()
	fn(ctx, i)
}

// ApplyEach calls one per-user function for every user, concurrently, and
// collects the results in order: the shape of every provider without a
// batch API.
func ApplyEach(ctx context.Context, users []provider.User, workers int, call func(ctx context.Context, u provider.User) provider.Result) []provider.Result {
	out := make([]provider.Result, len(users))
	Each(ctx, len(users), workers, func(ctx context.Context, i int) { out[i] = call(ctx, users[i]) },
		func(i int, err error) { out[i] = provider.Fail(err, 0) })
	return out
}

// LookupEach runs one look-up per email concurrently: the shape of every
// provider that searches one email at a time.
func LookupEach(ctx context.Context, emails []string, workers int, look func(ctx context.Context, email string) provider.Lookup) []provider.Lookup {
	out := make([]provider.Lookup, len(emails))
	Each(ctx, len(emails), workers, func(ctx context.Context, i int) { out[i] = look(ctx, emails[i]) },
		func(i int, err error) { out[i] = provider.Lookup{Err: err} })
	return out
}

// VerifyEach reads each account's state concurrently: the shape of every
// provider without a batched read.
func VerifyEach(ctx context.Context, ids []string, workers int, read func(ctx context.Context, id string) provider.State) []provider.State {
	out := make([]provider.State, len(ids))
	Each(ctx, len(ids), workers, func(ctx context.Context, i int) { out[i] = read(ctx, ids[i]) },
		func(i int, err error) { out[i] = provider.StateErr(err) })
	return out
}

// Outcome turns a state-changing call's answer into a Result: nil is
// Done, a not_found code (decided by the provider's Check from its
// documented "no such user" answer) is NotFound, anything else Failed.
func Outcome(resp Response, err error) provider.Result {
	if err == nil {
		return provider.Result{Outcome: provider.Done, Status: resp.Status, Attempts: resp.Attempts}
	}
	if e := provider.As(err); e.Code == message.CodeNotFound {
		return provider.Result{Outcome: provider.NotFound, Status: e.Status, Attempts: resp.Attempts}
	}
	return provider.Fail(err, resp.Attempts)
}

// ReadState reads one account back with GET target. The provider's
// documented "no such user" answer (check decides it) means the account is
// gone: known, not existing, no access. decode turns the body into the
// account's state; a state it leaves unknown without saying why becomes a
// transient provider error, so an unreadable answer is never a success.
func (c *Client) ReadState(ctx context.Context, name, target string, check func(status int, body []byte) error, decode func(body []byte) provider.State) provider.State {
	resp, err := c.Do(ctx, Request{Op: "read user", Method: http.MethodGet, URL: target, Check: check})
	if err != nil {
		if provider.As(err).Code == message.CodeNotFound {
			return provider.State{Known: true}
		}
		return provider.StateErr(err)
	}
	s := decode(resp.Body)
	if !s.Known && s.Err == nil {
		s.Err = provider.Transient(name+": read user", message.CodeProvider, "the answer does not show the account's state")
	}
	return s
}

// VerifyBatched proves accounts' states with one search per batch of
// distinct ids (search answers the states of the accounts it showed, by
// id; only known states count), then reads every account no search showed
// with read, alone: the only read that may say an account is gone. A lone
// account, or a search that fails, is read alone too, so a search can only
// spare reads, never decide one it did not show.
func VerifyBatched(ctx context.Context, ids []string, batch int, search func(ctx context.Context, chunk []string) (map[string]provider.State, error), read func(ctx context.Context, id string) provider.State) []provider.State {
	out := make([]provider.State, len(ids))
	want := map[string][]int{}
	var order []string
	for i, id := range ids {
		if _, ok := want[id]; !ok {
			order = append(order, id)
		}
		want[id] = append(want[id], i)
	}
	for start := 0; len(order)-start > 1; start += batch {
		chunk := order[start:min(start+batch, len(order))]
		shown, err := search(ctx, chunk)
		if err != nil {
			break // read one by one below
		}
		for _, id := range chunk {
			if st, ok := shown[id]; ok && st.Known && st.Err == nil {
				for _, i := range want[id] {
					out[i] = st
				}
				delete(want, id)
			}
		}
	}
	var todo []string
	for _, id := range order {
		if _, ok := want[id]; ok {
			todo = append(todo, id)
		}
	}
	for k, st := range VerifyEach(ctx, todo, 8, read) {
		for _, i := range want[todo[k]] {
			out[i] = st
		}
	}
	return out
}
