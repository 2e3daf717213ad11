package provider

import (
	"context"
	"strconv"

	"github.com/revoke-dev/revoke/pkg/message"
)

// AccountPage is one provider page of a connection's accounts.
type AccountPage struct {
	Accounts []Account
	Next     string // the cursor of the next page; empty after the last page
}

// Enumerator lists every account of a connection with its email, one
// provider page a call, for the orphan listing (docs/design.md §5). The
// cursor "" asks for the first page; a page's Next resumes after it, so a
// listing cut short by a deadline continues where it stopped instead of
// starting over. Each call is one request against the connection's rate
// budget. Safe for concurrent use.
type Enumerator interface {
	Enumerate(ctx context.Context, cursor string) (AccountPage, error)
}

// MaxOffset bounds an offset cursor (10 million accounts).
const MaxOffset = 10_000_000

// ParseOffset reads an offset cursor: "" is 0, otherwise a decimal number
// from 0 to MaxOffset. Anything else is a permanent invalid error.
func ParseOffset(op, cursor string) (int, error) {
	if cursor == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(cursor)
	if err != nil || n < 0 || n > MaxOffset || strconv.Itoa(n) != cursor {
		return 0, Permanent(op, message.CodeInvalid, "the listing cursor is not an offset")
	}
	return n, nil
}

// NextOffset is the cursor after a page of n accounts read at offset, or
// "" when more is false or the page was empty (the last page).
func NextOffset(offset, n int, more bool) string {
	if !more || n == 0 || offset+n > MaxOffset {
		return ""
	}
	return strconv.Itoa(offset + n)
}
