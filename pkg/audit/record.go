package audit

import (
	"context"
	"log/slog"
	"time"

	"github.com/revoke-dev/revoke/pkg/message"
)

// Record is one target's outcome: the audit line (docs/design.md §4).
type Record struct {
	RequestID    string
	MessageID    string
	Connection   string
	Provider     string
	UserID       string
	Email        string
	Action       message.Action
	Source       message.Source
	Actor        string
	Reason       string
	DryRun       bool
	Outcome      message.Outcome
	ErrorCode    message.Code
	Error        string // already safe: redacted provider message
	HTTPStatus   int
	Attempt      int // SQS delivery attempt (ApproximateReceiveCount)
	HTTPAttempts int
	Verified     *bool // seen in the asked state after the change (nil: not read)
	Duration     time.Duration
}

// Log writes the audit line. Every string in it was validated or redacted
// before (ids, addresses, reasons without control or bidi characters).
func (r Record) Log(ctx context.Context, log *slog.Logger) {
	attrs := []slog.Attr{
		slog.String("request_id", r.RequestID),
		slog.String("message_id", r.MessageID),
		slog.String("connection", r.Connection),
		slog.String("provider", r.Provider),
		slog.String("action", string(r.Action)),
		slog.String("outcome", string(r.Outcome)),
		slog.Int("http_status", r.HTTPStatus),
		slog.Int("attempt", r.Attempt),
		slog.Int("http_attempts", r.HTTPAttempts),
		slog.Int64("duration_ms", r.Duration.Milliseconds()),
	}
	if r.Verified != nil {
		attrs = append(attrs, slog.Bool("verified", *r.Verified))
	} else {
		attrs = append(attrs, slog.Any("verified", nil))
	}
	for _, kv := range [][2]string{{"user_id", r.UserID}, {"email", r.Email}, {"source", string(r.Source)}, {"actor", r.Actor}, {"reason", r.Reason}} {
		if kv[1] != "" {
			attrs = append(attrs, slog.String(kv[0], kv[1]))
		}
	}
	if r.DryRun {
		attrs = append(attrs, slog.Bool("dry_run", true))
	}
	level := slog.LevelInfo
	if r.ErrorCode != "" {
		attrs = append(attrs, slog.String("error_code", string(r.ErrorCode)), slog.String("error", r.Error))
		level = slog.LevelWarn
	}
	log.LogAttrs(ctx, level, "target", attrs...)
}
