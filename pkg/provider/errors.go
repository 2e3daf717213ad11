package provider

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/revoke-dev/revoke/pkg/message"
)

// Error is the one typed error of a provider call. Message never holds a
// credential or a full provider URL: every text from a provider passes
// through a Redactor before it is put here.
type Error struct {
	Op         string       // e.g. "backendless: set user status"
	Status     int          // HTTP status, 0 if no response
	Code       message.Code // the classification (docs/design.md §3)
	Message    string       // safe for logs, the DLQ and the ledger
	Retry      bool
	After      time.Duration // the server's Retry-After, if any
	Err        error         // cause, already redacted
	ProviderID string        // provider's own error code/type, if any
}

func (e *Error) Error() string {
	s := e.Op + ": " + string(e.Code)
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
func Classify(status int) (code message.Code, retryable bool) {
	switch {
	case status == http.StatusTooManyRequests:
		return message.CodeRateLimited, true
	case status == http.StatusNotImplemented:
		return message.CodeUnsupported, false
	case status >= 500:
		return message.CodeUnavailable, true
	case status == http.StatusUnauthorized:
		return message.CodeUnauthorized, false
	case status == http.StatusForbidden:
		return message.CodeForbidden, false
	case status == http.StatusNotFound:
		return message.CodeNotFound, false
	case status == http.StatusConflict:
		return message.CodeConflict, false
	case status == http.StatusBadRequest, status == http.StatusUnprocessableEntity:
		return message.CodeInvalid, false
	}
	return message.CodeProvider, false
}

// StatusError builds the error for a failed HTTP status.
func StatusError(op string, status int, msg string) *Error {
	code, retry := Classify(status)
	return &Error{Op: op, Status: status, Code: code, Retry: retry, Message: msg}
}

// Permanent builds a non-retryable error with a code.
func Permanent(op string, code message.Code, msg string) *Error {
	return &Error{Op: op, Code: code, Message: msg}
}

// Transient builds a retryable error with a code.
func Transient(op string, code message.Code, msg string) *Error {
	return &Error{Op: op, Code: code, Message: msg, Retry: true}
}

// Config builds the permanent "config" error of a connection whose URL,
// deployment or secret is wrong.
func Config(op, msg string) *Error { return Permanent(op, message.CodeConfig, msg) }

// As returns err's *Error, or wraps an unknown error as a retryable one
// (an error revoke cannot classify is safer retried than dropped; its text
// is not kept, as nothing vouches that it is free of secrets).
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Op: "provider", Code: message.CodeUnavailable, Message: "unclassified error", Retry: true}
}

// IsAuth reports whether err is a 401/403 (worth one secret refresh).
func IsAuth(err error) bool {
	var e *Error
	return errors.As(err, &e) && (e.Code == message.CodeUnauthorized || e.Code == message.CodeForbidden)
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

// StateErr is the State of an account whose read failed.
func StateErr(err error) State { return State{Err: err} }

// PanicError is the cause of an error made from a recovered panic. Stack
// is the goroutine's stack (function names and offsets, no values); the
// panic value itself is not kept, as nothing vouches that it is free of
// secrets.
type PanicError struct{ Stack string }

func (p *PanicError) Error() string { return "panic recovered" }

// Panicked is the retryable error of work that panicked: the item is tried
// again on the next delivery instead of taking the whole batch down.
func Panicked(op string, stack []byte) *Error {
	return &Error{Op: op, Code: message.CodeUnavailable, Message: "internal error: panic recovered (retried)", Retry: true, Err: &PanicError{Stack: string(stack)}}
}
