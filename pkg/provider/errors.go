package provider

import (
	"errors"
	"net/http"
	"strconv"
	"time"
)

// Error codes: the error_code attribute of a DLQ message (DESIGN.md §3).
const (
	CodeNotFound     = "not_found"
	CodeUnauthorized = "unauthorized"
	CodeForbidden    = "forbidden"
	CodeInvalid      = "invalid"
	CodeConflict     = "conflict"
	CodeUnsupported  = "unsupported"
	CodeConfig       = "config"
	CodeExhausted    = "exhausted"
	CodeRateLimited  = "rate_limited"
	CodeUnavailable  = "unavailable"
	CodeTimeout      = "timeout"
	CodeProvider     = "provider_error"
)

// Error is the one typed error of a provider call. Message never holds a
// credential or a full provider URL.
type Error struct {
	Op         string // e.g. "backendless: disable user"
	Status     int    // HTTP status, 0 if no response
	Code       string // one of the Code constants
	Message    string // safe for logs and the DLQ
	Retry      bool
	After      time.Duration // the server's Retry-After, if any
	Err        error         // cause, already redacted
	ProviderID string        // provider's own error code/type, if any
}

func (e *Error) Error() string {
	s := e.Op + ": " + e.Code
	if e.Status != 0 {
		s += " (HTTP " + strconv.Itoa(e.Status) + ")"
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Retryable reports whether trying again later may succeed.
func (e *Error) Retryable() bool { return e.Retry }

// RetryAfter is the wait the server asked for.
func (e *Error) RetryAfter() time.Duration { return e.After }

// Classify maps an HTTP status to a code and whether it is retryable:
// 429 and 5xx (but 501) are; every other failure is permanent.
func Classify(status int) (code string, retryable bool) {
	switch {
	case status == http.StatusTooManyRequests:
		return CodeRateLimited, true
	case status == http.StatusNotImplemented:
		return CodeUnsupported, false
	case status >= 500:
		return CodeUnavailable, true
	case status == http.StatusUnauthorized:
		return CodeUnauthorized, false
	case status == http.StatusForbidden:
		return CodeForbidden, false
	case status == http.StatusNotFound:
		return CodeNotFound, false
	case status == http.StatusConflict:
		return CodeConflict, false
	case status == http.StatusBadRequest, status == http.StatusUnprocessableEntity:
		return CodeInvalid, false
	}
	return CodeProvider, false
}

// StatusError builds the error for a failed HTTP status.
func StatusError(op string, status int, msg string) *Error {
	code, retry := Classify(status)
	return &Error{Op: op, Status: status, Code: code, Retry: retry, Message: msg}
}

// Permanent builds a non-retryable error with a code.
func Permanent(op, code, msg string) *Error {
	return &Error{Op: op, Code: code, Message: msg}
}

// Transient builds a retryable error with a code.
func Transient(op, code, msg string) *Error {
	return &Error{Op: op, Code: code, Message: msg, Retry: true}
}

// As returns err's *Error, or wraps an unknown error as a retryable one
// (an error revoke cannot classify is safer retried than dropped).
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Op: "provider", Code: CodeUnavailable, Message: "unclassified error", Retry: true, Err: err}
}

// IsAuth reports whether err is a 401/403 (worth one secret refresh).
func IsAuth(err error) bool {
	var e *Error
	return errors.As(err, &e) && (e.Code == CodeUnauthorized || e.Code == CodeForbidden)
}

// Fail returns a failed Result for err.
func Fail(err error, attempts int) Result {
	return Result{Outcome: Failed, Err: err, Status: As(err).Status, Attempts: attempts}
}

// FailAll returns n copies of Fail(err).
func FailAll(n int, err error, attempts int) []Result {
	out := make([]Result, n)
	for i := range out {
		out[i] = Fail(err, attempts)
	}
	return out
}
