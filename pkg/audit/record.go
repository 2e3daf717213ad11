package audit

import (
	"context"
	"log/slog"
	"time"
)

// Outcomes of a target, as audit lines and metrics name them.
const (
	OutcomeDone      = "done"
	OutcomeAlready   = "already"
	OutcomeNoAccount = "no_account" // "*" fan-out: no account on that connection
	OutcomeRetry     = "retry"      // reported to SQS as a batch item failure
	OutcomeDLQ       = "dlq"        // permanent failure, sent to the DLQ
)

// Record is one target's outcome.
type Record struct {
	RequestID    string
	MessageID    string
	Connection   string
	Provider     string
	UserID       string
	Email        string
	Action       string
	Source       string
	Reason       string
	Outcome      string
	ErrorCode    string
	Error        string // already safe: redacted provider message
	HTTPStatus   int
	Attempt      int // SQS delivery attempt (ApproximateReceiveCount)
	HTTPAttempts int
	Duration     time.Duration
}

// Log writes the audit line.
func (r Record) Log(ctx context.Context, log *slog.Logger) {
	attrs := []slog.Attr{
		slog.String("request_id", r.RequestID),
		slog.String("message_id", r.MessageID),
		slog.String("connection", r.Connection),
		slog.String("provider", r.Provider),
		slog.String("action", r.Action),
		slog.String("outcome", r.Outcome),
		slog.Int("http_status", r.HTTPStatus),
		slog.Int("attempt", r.Attempt),
		slog.Int("http_attempts", r.HTTPAttempts),
		slog.Int64("duration_ms", r.Duration.Milliseconds()),
	}
	if r.UserID != "" {
		attrs = append(attrs, slog.String("user_id", r.UserID))
	}
	if r.Email != "" {
		attrs = append(attrs, slog.String("email", r.Email))
	}
	if r.Source != "" {
		attrs = append(attrs, slog.String("source", r.Source))
	}
	if r.Reason != "" {
		attrs = append(attrs, slog.String("reason", r.Reason))
	}
	level := slog.LevelInfo
	if r.ErrorCode != "" {
		attrs = append(attrs, slog.String("error_code", r.ErrorCode), slog.String("error", r.Error))
		level = slog.LevelWarn
	}
	log.LogAttrs(ctx, level, "target", attrs...)
}
