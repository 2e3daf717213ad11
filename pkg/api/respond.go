package api

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/revoke-dev/revoke/pkg/auth"
)

// Error codes of the response body.
const (
	codeInvalid          = "invalid_request"
	codeUnauthorized     = "unauthorized"
	codeForbidden        = "forbidden"
	codeUnavailable      = "unavailable"
	codeNotFound         = "not_found"
	codeConflict         = "idempotency_conflict"
	codeMethodNotAllowed = "method_not_allowed"
	codeTooLarge         = "payload_too_large"
	codeUnsupportedMedia = "unsupported_media_type"
	codeInternal         = "internal"
)

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

func headers(requestID, contentType string) map[string]string {
	return map[string]string{
		"Content-Type":           contentType,
		"Cache-Control":          "no-store",
		"X-Content-Type-Options": "nosniff",
		"X-Request-Id":           requestID,
	}
}

func respond(status int, requestID string, body any) events.APIGatewayV2HTTPResponse {
	b, err := json.Marshal(body)
	if err != nil {
		status, b = 500, []byte(`{"error":{"code":"internal","message":"internal error"}}`)
	}
	return events.APIGatewayV2HTTPResponse{StatusCode: status, Headers: headers(requestID, "application/json"), Body: string(b)}
}

func respondError(status int, requestID, code, msg, field string) events.APIGatewayV2HTTPResponse {
	return respond(status, requestID, errorBody{Error: errorDetail{Code: code, Message: msg, Field: field}})
}

func forbidden(requestID string, s auth.Scope) events.APIGatewayV2HTTPResponse {
	return respondError(403, requestID, codeForbidden, "this token does not have the "+string(s)+" scope", "")
}

func withHeader(r events.APIGatewayV2HTTPResponse, k, v string) events.APIGatewayV2HTTPResponse {
	r.Headers[k] = v
	return r
}

func unavailable(requestID, msg string, retryAfter time.Duration) events.APIGatewayV2HTTPResponse {
	secs := max(int(retryAfter/time.Second), 1)
	return withHeader(respondError(503, requestID, codeUnavailable, msg, ""), "Retry-After", strconv.Itoa(secs))
}
