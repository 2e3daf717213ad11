package retry

import (
	"context"
	"errors"
	"testing"
)

func TestTransient(t *testing.T) {
	base := errors.New("queue: 3 of 10 entries refused")
	for _, tc := range []struct {
		name      string
		err       error
		retryable bool
	}{
		{"nil stays nil", Transient(nil), false},
		{"marked", Transient(base), true},
		{"marked and wrapped", errors.Join(errors.New("ledger"), Transient(base)), true},
		{"unmarked", base, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := IsRetryable(tc.err); got != tc.retryable {
				t.Fatalf("IsRetryable = %v, want %v", got, tc.retryable)
			}
			if tc.err != nil && !errors.Is(tc.err, base) {
				t.Fatal("the cause is lost from the chain")
			}
		})
	}
}

// Do retries a Transient error up to the AWS policy's attempts, and not a
// cancelled context (no back-off is slept: the context ends first).
func TestAWSPolicyStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	n, err := Do(ctx, AWS, func(context.Context, int) error {
		cancel()
		return Transient(errors.New("unprocessed items"))
	})
	if n != 1 || err == nil {
		t.Fatalf("attempts %d, err %v", n, err)
	}
	if AWS.Attempts < 2 || AWS.Max <= 0 {
		t.Fatalf("AWS policy %+v does not retry", AWS)
	}
}
