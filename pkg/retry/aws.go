package retry

import "time"

// AWS is how revoke retries what an AWS call left undone — SQS entries a
// batch send refused or a failed send, DynamoDB items or keys a batch call
// left unprocessed — for every caller (API, hook, trigger, sweep, DLQ,
// ledger). The SDK's own retryer has already retried throttled calls; the
// caller's deadline is the real bound.
var AWS = Policy{Attempts: 6, Base: 50 * time.Millisecond, Max: time.Second}

// Transient marks err as worth another try under Do (Retryable reports
// true); err stays in the chain for errors.Is and errors.As. A nil err
// stays nil.
func Transient(err error) error {
	if err == nil {
		return nil
	}
	return transient{err}
}

type transient struct{ error }

func (transient) Retryable() bool { return true }
func (e transient) Unwrap() error { return e.error }
