package ledger

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/revoke-dev/revoke/pkg/message"
)

// Exceptions: accounts an operator marks as expected at a connection
// (service accounts, break-glass), by the provider's user id. They are
// listed as "excepted" with who excepted them, never as orphans, and never
// expire until removed.
const (
	pkExcept = "EXCEPT#"
	// MaxExceptions bounds a connection's exceptions (the comparison
	// holds them in memory).
	MaxExceptions = 10000
)

// Exception is one excepted account.
type Exception struct {
	Connection string    `json:"connection"`
	UserID     string    `json:"user_id"`
	By         string    `json:"by"` // who excepted it
	Note       string    `json:"note,omitempty"`
	At         time.Time `json:"at"`
}

// Check validates an exception before it is written.
func (e Exception) Check() error {
	switch {
	case message.CheckConnectionName(e.Connection) != nil:
		return errors.New("connection: invalid")
	case message.CheckUserID(e.UserID) != nil:
		return errors.New("user_id: invalid")
	case e.By == "" || len(e.By) > 256 || message.CheckText(e.By) != nil:
		return errors.New("by: 1 to 256 characters, no control characters")
	case len(e.Note) > message.MaxReasonChars || message.CheckText(e.Note) != nil:
		return errors.New("note: too long or holds control characters")
	}
	return nil
}

// PutException records (or replaces) an exception.
func (l *Ledger) PutException(ctx context.Context, e Exception) error {
	if err := e.Check(); err != nil {
		return fmt.Errorf("ledger: exception: %w", err)
	}
	if e.At.IsZero() {
		e.At = l.now().UTC()
	}
	if err := l.Store.BatchPut(ctx, []Item{{PK: pkExcept + e.Connection, SK: e.UserID, Data: encode(e)}}); err != nil {
		return fmt.Errorf("ledger: exception: %w", err)
	}
	return nil
}

// DeleteException removes an exception (absent is not an error).
func (l *Ledger) DeleteException(ctx context.Context, connection, userID string) error {
	if err := l.Store.Write(ctx, Write{Delete: &Key{PK: pkExcept + connection, SK: userID}}); err != nil {
		return fmt.Errorf("ledger: exception: %w", err)
	}
	return nil
}

// Exceptions returns a connection's exceptions by user id, at most
// MaxExceptions.
func (l *Ledger) Exceptions(ctx context.Context, connection string) (map[string]Exception, error) {
	items, err := queryAll(ctx, l.Store, Query{PK: pkExcept + connection}, MaxExceptions)
	if err != nil {
		return nil, fmt.Errorf("ledger: exceptions: %w", err)
	}
	out := make(map[string]Exception, len(items))
	for _, it := range items {
		var e Exception
		if json.Unmarshal(it.Data, &e) == nil {
			out[e.UserID] = e
		}
	}
	return out, nil
}
