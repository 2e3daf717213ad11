package inmem

import (
	"testing"

	"github.com/revoke-dev/revoke/internal/storetest"
	"github.com/revoke-dev/revoke/pkg/ledger"
)

func TestStoreConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T, c *storetest.Clock) ledger.Store { return NewStore(c.Now) })
}
