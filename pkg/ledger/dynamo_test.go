package ledger_test

import (
	"testing"

	"github.com/revoke-dev/revoke/internal/awstest"
	"github.com/revoke-dev/revoke/internal/storetest"
	"github.com/revoke-dev/revoke/pkg/ledger"
)

// The DynamoDB store passes the same suite as the in-memory one, on moto.
func TestDynamoConformance(t *testing.T) {
	env := awstest.New(t)
	storetest.Run(t, func(t *testing.T, c *storetest.Clock) ledger.Store {
		_, s := env.Ledger(t)
		s.Now = c.Now
		return s
	})
}
