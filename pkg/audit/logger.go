package audit

import (
	"io"
	"log/slog"
)

// NewLogger returns the JSON logger all functions use.
func NewLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level}))
}
