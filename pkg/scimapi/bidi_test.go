package scimapi

import (
	"strings"
	"testing"

	"github.com/revoke-dev/revoke/pkg/ledger"
)

// A SCIM user's addresses skip any value with a Unicode bidirectional
// control: it is never revoked under a name that reads otherwise.
// (Before: CheckEmail let bidi controls through.)
func TestAddressesSkipBidi(t *testing.T) {
	u := ledger.SCIMUser{UserName: "evil\u202egro.elpmaxe@example.com",
		Emails: []ledger.SCIMEmail{{Value: "a\u2067b@example.com"}, {Value: "ok@example.com"}}}
	if got := strings.Join(addresses(u), ","); got != "ok@example.com" {
		t.Fatalf("got %q", got)
	}
}
