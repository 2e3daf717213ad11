package consumer

import (
	"strconv"

	"github.com/revoke-dev/revoke/pkg/message"
)

// maxRefusedShown bounds how much of a refused address reaches the log.
const maxRefusedShown = 80

// shownEmail keeps an address a provider showed for an account only when
// it passes the same check as a request's email (message.CheckEmail: at
// most 254 bytes, no control or bidi characters). It is recorded as what
// the provider showed, never as the person's identity (docs/design.md §8):
// an address a provider returns cannot enter any ledger key. A refused
// one comes back quoted and cut, for the log only.
func shownEmail(s string) (keep, refused string) {
	if s == "" {
		return "", ""
	}
	if message.CheckEmail(s) == nil {
		return s, ""
	}
	cut := s
	if len(cut) > maxRefusedShown {
		cut = cut[:maxRefusedShown]
	}
	return "", strconv.QuoteToASCII(cut) + " (" + strconv.Itoa(len(s)) + " bytes)"
}
