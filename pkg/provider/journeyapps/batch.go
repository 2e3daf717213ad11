package journeyapps

import (
	"context"
	"encoding/json"
	"math/bits"
	"net/http"
	"strings"

	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/provider"
	"github.com/revoke-dev/revoke/pkg/provider/rest"
	"github.com/revoke-dev/revoke/pkg/retry"
)

type operation struct {
	Method string `json:"method"`
	UserID string `json:"user_id"`
	Wipe   bool   `json:"wipe"`
}

type batchRequest struct {
	Operations []operation `json:"operations"`
}

// Revoke locks users with batch.json, 1000 operations a request.
// Operations that fail for a transient reason are re-sent in a smaller
// batch while time allows; an ill-formed batch (which performs nothing) is
// split until the bad operation is isolated.
func (c *Client) Revoke(ctx context.Context, users []provider.User) []provider.Result {
	out := make([]provider.Result, len(users))
	for start := 0; start < len(users); start += MaxBatch {
		end := min(start+MaxBatch, len(users))
		copy(out[start:end], c.lockChunk(ctx, users[start:end]))
	}
	return out
}

func (c *Client) lockChunk(ctx context.Context, users []provider.User) []provider.Result {
	out := make([]provider.Result, len(users))
	pending := make([]int, len(users))
	for i := range pending {
		pending[i] = i
	}
	for round := 1; len(pending) > 0; round++ {
		batch := make([]provider.User, len(pending))
		for i, j := range pending {
			batch[i] = users[j]
		}
		// Splitting an ill-formed batch costs at most two requests a level;
		// past that budget the batch method itself is refused and the rest
		// goes through the single-user API.
		splits := 2*bits.Len(uint(len(batch))) + 2
		res := c.isolate(ctx, batch, &splits)
		var again []int
		for i, j := range pending {
			res[i].Attempts += out[j].Attempts
			out[j] = res[i]
			if res[i].Outcome == provider.Failed && retry.IsRetryable(res[i].Err) && perOperation(res[i].Err) {
				again = append(again, j) // the batch went through but this operation did not: retry just it
			}
		}
		if len(again) == 0 || round >= 3 || !retry.Sleep(ctx, Profile.Policy.Min) {
			break
		}
		pending = again
	}
	return out
}

// isolate sends a batch; when the batch fails as a whole because it is
// ill-formed (400/422: no operation was performed), it splits it in two
// and tries each half, down to one operation, which is then sent with the
// documented single-user lock call.
func (c *Client) isolate(ctx context.Context, users []provider.User, splits *int) []provider.Result {
	res, err := c.batch(ctx, users)
	if err == nil || !illFormed(err) {
		return res
	}
	if len(users) == 1 || *splits <= 0 {
		return rest.ApplyEach(ctx, users, 8, func(ctx context.Context, u provider.User) provider.Result { return c.Lock(ctx, u.ID, u.Wipe) })
	}
	*splits -= 2
	half := len(users) / 2
	return append(c.isolate(ctx, users[:half], splits), c.isolate(ctx, users[half:], splits)...)
}

func illFormed(err error) bool {
	pe := provider.As(err)
	return pe.Status == http.StatusBadRequest || pe.Status == http.StatusUnprocessableEntity
}

// opError marks an error reported by one operation of a delivered batch.
type opError struct{}

func (opError) Error() string { return "batch operation failed" }

func perOperation(err error) bool {
	var pe *provider.Error
	pe = provider.As(err)
	_, ok := pe.Err.(opError)
	return ok
}

// batch sends one batch.json request. A non-nil error means the request as
// a whole failed (res then holds that error for every user).
func (c *Client) batch(ctx context.Context, users []provider.User) ([]provider.Result, error) {
	ops := make([]operation, len(users))
	for i, u := range users {
		if err := checkID(u.ID); err != nil {
			return provider.FailAll(len(users), err, 0), nil
		}
		ops[i] = operation{Method: "users/lock", UserID: u.ID, Wipe: u.Wipe}
	}
	u, err := rest.URL(c.base, "batch.json")
	if err != nil {
		return provider.FailAll(len(users), rest.ConfigError(Name, err), 0), nil
	}
	resp, err := c.http.Do(ctx, rest.Request{Op: "batch lock", Method: http.MethodPost, URL: u, Body: batchRequest{Operations: ops}, Check: Check})
	if err != nil {
		return provider.FailAll(len(users), err, resp.Attempts), err
	}
	results, perr := ParseBatchResponse(resp.Body, len(ops), c.http.Clean)
	if perr != nil {
		perr.Op, perr.Status = Name+": batch lock", resp.Status
		return provider.FailAll(len(users), perr, resp.Attempts), nil
	}
	for i := range results {
		results[i].Attempts = resp.Attempts
		if results[i].Status == 0 {
			results[i].Status = resp.Status
		}
	}
	return results, nil
}

// OperationResult is one entry of a batch response.
type OperationResult struct {
	Success *bool     `json:"success"`
	Error   *APIError `json:"error"`
}

// ParseBatchResponse maps a batch.json response to one result per
// operation, by position (the documented order). Operations without a
// result are retryable failures (the batch is not transactional and
// locking is idempotent). clean redacts and truncates provider text.
func ParseBatchResponse(body []byte, n int, clean func(string) string) ([]provider.Result, *provider.Error) {
	var br struct {
		Operations []OperationResult `json:"operations"`
		Results    []OperationResult `json:"results"`
	}
	var ops []OperationResult
	if err := json.Unmarshal(body, &br); err == nil {
		ops = br.Operations
		if ops == nil {
			ops = br.Results
		}
	} else if err := json.Unmarshal(body, &ops); err != nil { // a bare array of results
		return nil, provider.Transient("", message.CodeProvider, "batch response is not the documented JSON")
	}
	out := make([]provider.Result, n)
	for i := range out {
		if i >= len(ops) {
			out[i] = provider.Fail(opErr(provider.Transient(Name+": batch", message.CodeProvider, "no result for this operation")), 0)
			continue
		}
		out[i] = operationResult(ops[i], clean)
	}
	return out, nil
}

func opErr(e *provider.Error) *provider.Error {
	e.Err = opError{}
	return e
}

func operationResult(r OperationResult, clean func(string) string) provider.Result {
	if r.Error == nil && r.Success != nil && *r.Success {
		return provider.Result{Outcome: provider.Done}
	}
	if r.Error == nil && r.Success == nil {
		return provider.Fail(opErr(provider.Transient(Name+": batch", message.CodeProvider, "operation result has no success flag")), 0)
	}
	e := r.Error
	if e == nil {
		e = &APIError{Type: "UNKNOWN", Title: "operation failed"}
	}
	status := ErrorStatus(e.Type)
	if e.Type == typeObjectNotFound {
		return provider.Result{Outcome: provider.NotFound, Status: status}
	}
	msg := clean(e.text())
	var pe *provider.Error
	switch t := strings.ToUpper(e.Type); {
	case status != 0:
		pe = provider.StatusError(Name+": batch operation", status, msg)
	case strings.Contains(t, "INTERNAL") || strings.Contains(t, "UNAVAILABLE") || strings.Contains(t, "TIMEOUT"):
		pe = provider.Transient(Name+": batch operation", message.CodeUnavailable, msg)
	default:
		pe = provider.Permanent(Name+": batch operation", message.CodeProvider, msg)
	}
	if status == http.StatusNotFound { // ROUTE_ERROR / ACCOUNT_NOT_FOUND inside a batch
		pe.Code = message.CodeConfig
	}
	pe.ProviderID = e.Type
	return provider.Result{Outcome: provider.Failed, Err: opErr(pe), Status: status}
}

// ErrorStatus is the HTTP status JourneyApps documents for an error type.
func ErrorStatus(typ string) int {
	switch typ {
	case "AUTHENTICATION_FAILED":
		return http.StatusUnauthorized
	case typeObjectNotFound, typeRouteError, typeAccountNotFound:
		return http.StatusNotFound
	case "INVALID_VALUE":
		return http.StatusUnprocessableEntity
	case "INVALID_API_REQUEST":
		return http.StatusBadRequest
	case "TOO_MANY_REQUESTS":
		return http.StatusTooManyRequests
	case "INTERNAL_SERVER_ERROR":
		return http.StatusInternalServerError
	case "FORBIDDEN", "PERMISSION_DENIED":
		return http.StatusForbidden
	}
	return 0
}
