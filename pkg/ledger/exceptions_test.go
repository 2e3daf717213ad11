package ledger_test

import (
	"testing"

	"github.com/revoke-dev/revoke/pkg/ledger"
)

// An exception names a connection by a connection's name ([a-z0-9-]), an
// account by a user id. Before, the connection passed the user-id check,
// so "Wiki.Prod" (no connection can have that name) was written.
func TestExceptionCheck(t *testing.T) {
	for _, tc := range []struct {
		name string
		e    ledger.Exception
		ok   bool
	}{
		{"valid", ledger.Exception{Connection: "wiki", UserID: "svc-backup", By: "jane@corp"}, true},
		{"connection that is no connection name", ledger.Exception{Connection: "Wiki.Prod", UserID: "svc-backup", By: "jane@corp"}, false},
		{"no connection", ledger.Exception{UserID: "svc-backup", By: "jane@corp"}, false},
		{"user id with a slash", ledger.Exception{Connection: "wiki", UserID: "../x", By: "jane@corp"}, false},
		{"no one excepted it", ledger.Exception{Connection: "wiki", UserID: "svc-backup"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.e.Check(); (err == nil) != tc.ok {
				t.Fatalf("Check() = %v, want ok %t", err, tc.ok)
			}
		})
	}
}
