package message

// Code is an error code: the error_code attribute of a DLQ message, the
// ledger's error_code and a provider error's classification (docs/design.md §3).
type Code string

// Error codes. The permanent ones send a target to the DLQ at once;
// unverified and the transient ones are retried until the last delivery,
// where the consumer moves the target itself as exhausted.
const (
	CodeNotFound     Code = "not_found"
	CodeUnauthorized Code = "unauthorized"
	CodeForbidden    Code = "forbidden"
	CodeInvalid      Code = "invalid"
	CodeUnsupported  Code = "unsupported"
	CodeConfig       Code = "config"
	CodeProvider     Code = "provider_error" // a provider answered success but reports another state
	CodeUnverified   Code = "unverified"     // the read-back disagrees (transient until the last delivery)
	CodeExhausted    Code = "exhausted"      // still failing transiently on the last delivery
	CodeConflict     Code = "conflict"
	CodeRateLimited  Code = "rate_limited"
	CodeUnavailable  Code = "unavailable"
	CodeTimeout      Code = "timeout"
)

// Transient reports whether the sweep may re-drive a DLQ message with this
// code (no code at all: SQS's own redrive moved it).
func (c Code) Transient() bool {
	switch c {
	case "", CodeExhausted, CodeUnverified, CodeRateLimited, CodeUnavailable, CodeTimeout:
		return true
	}
	return false
}

// DLQ message attributes (docs/design.md §3) and the sweep's re-drive counter.
const (
	AttrErrorCode    = "error_code"
	AttrErrorMessage = "error_message"
	AttrHTTPStatus   = "http_status"
	AttrConnection   = "connection"
	AttrProvider     = "provider"
	AttrRedriveCount = "redrive_count"
)

// MaxErrorMessage bounds error_message (bytes).
const MaxErrorMessage = 1000

// AttrLastErrorCode is an exhausted DLQ message's last error's code
// (unverified, rate_limited, …), so the cause stays visible.
const AttrLastErrorCode = "last_error_code"
