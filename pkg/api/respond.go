package api

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// Error codes of the response body.
const (
	codeInvalid          = "invalid_request"
	codeUnauthorized     = "unauthorized"
	codeUnavailable      = "unavailable"
	codeNotFound         = "not_found"
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

func respond(status int, requestID string, body any) events.APIGatewayV2HTTPResponse {
	b, err := json.Marshal(body)
	if err != nil {
		status, b = 500, []byte(`{"error":{"code":"internal","message":"internal error"}}`)
	}
	return events.APIGatewayV2HTTPResponse{
		StatusCode: status,
		Headers: map[string]string{
			"Content-Type":           "application/json",
			"Cache-Control":          "no-store",
			"X-Content-Type-Options": "nosniff",
			"X-Request-Id":           requestID,
		},
		Body: string(b),
	}
}

func respondError(status int, requestID, code, msg, field string) events.APIGatewayV2HTTPResponse {
	return respond(status, requestID, errorBody{Error: errorDetail{Code: code, Message: msg, Field: field}})
}

func withHeader(r events.APIGatewayV2HTTPResponse, k, v string) events.APIGatewayV2HTTPResponse {
	r.Headers[k] = v
	return r
}

func unavailable(requestID, msg string, retryAfter time.Duration) events.APIGatewayV2HTTPResponse {
	secs := max(int(retryAfter/time.Second), 1)
	return withHeader(respondError(503, requestID, codeUnavailable, msg, ""), "Retry-After", strconv.Itoa(secs))
}
