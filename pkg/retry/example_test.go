package retry_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/revoke-dev/revoke/pkg/retry"
)

// Do retries what says it is worth another try (here, a batch call that
// left entries unprocessed), with jittered back-off, within the attempts
// and the context's deadline; anything else ends it at once.
func ExampleDo() {
	p := retry.Policy{Attempts: 5, Base: time.Millisecond, Max: 4 * time.Millisecond}
	left := 3
	n, err := retry.Do(context.Background(), p, func(ctx context.Context, attempt int) error {
		if left--; left > 0 {
			return retry.Transient(fmt.Errorf("%d entries unprocessed", left))
		}
		return nil
	})
	fmt.Println(n, err)

	n, err = retry.Do(context.Background(), p, func(context.Context, int) error {
		return errors.New("access denied") // not marked: never retried
	})
	fmt.Println(n, err)
	// Output:
	// 3 <nil>
	// 1 access denied
}
