package retry

import (
	"context"
	"errors"
	"testing"
	"time"
)

type errT struct {
	retry bool
	after time.Duration
}

func (e errT) Error() string             { return "e" }
func (e errT) Retryable() bool           { return e.retry }
func (e errT) RetryAfter() time.Duration { return e.after }

func TestDo(t *testing.T) {
	p := Policy{Attempts: 4, Base: time.Millisecond, Max: 2 * time.Millisecond}
	tests := []struct {
		name  string
		errs  []error
		calls int
		ok    bool
	}{
		{"success", []error{nil}, 1, true},
		{"retry then success", []error{errT{retry: true}, errT{retry: true}, nil}, 3, true},
		{"permanent", []error{errT{retry: false}, nil}, 1, false},
		{"plain error is permanent", []error{errors.New("x"), nil}, 1, false},
		{"attempts run out", []error{errT{retry: true}, errT{retry: true}, errT{retry: true}, errT{retry: true}, nil}, 4, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			n, err := Do(context.Background(), p, func(context.Context, int) error {
				calls++
				return tt.errs[calls-1]
			})
			if calls != tt.calls || n != tt.calls || (err == nil) != tt.ok {
				t.Fatalf("calls %d n %d err %v", calls, n, err)
			}
		})
	}
}

func TestNeverSleepsPastDeadline(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	calls := 0
	_, err := Do(ctx, Policy{Attempts: 5, Base: time.Second}, func(context.Context, int) error {
		calls++
		return errT{retry: true, after: 10 * time.Second}
	})
	if err == nil || calls != 1 {
		t.Fatalf("calls %d: a Retry-After past the deadline must end the retries at once", calls)
	}
	if IsRetryable(context.Canceled) {
		t.Fatal("a cancelled context is never retryable")
	}
}

func TestBackoffBounds(t *testing.T) {
	p := Policy{Base: 100 * time.Millisecond, Max: time.Second, Min: time.Second}
	for n := 1; n < 10; n++ {
		if d := p.Backoff(n); d < time.Second || d > time.Second {
			t.Fatalf("backoff %d = %v, want exactly the 1 s minimum", n, d)
		}
	}
	p = Policy{Base: 100 * time.Millisecond, Max: 400 * time.Millisecond}
	for n := 1; n < 10; n++ {
		if d := p.Backoff(n); d < 0 || d > 400*time.Millisecond {
			t.Fatalf("backoff %d = %v", n, d)
		}
	}
	if d := p.Wait(1, errT{after: 3 * time.Second}); d != 3*time.Second {
		t.Fatalf("Retry-After ignored: %v", d)
	}
}
