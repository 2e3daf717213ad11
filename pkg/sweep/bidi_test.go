package sweep

import (
	"context"
	"testing"
	"time"

	"github.com/revoke-dev/revoke/pkg/provider"
)

type listed []provider.Account

func (l listed) List(_ context.Context, _ provider.ListQuery, fn func(provider.Account) bool) error {
	for _, a := range l {
		if !fn(a) {
			break
		}
	}
	return nil
}

// The sweep's front door: an address a provider's listing shows is kept
// with the target only if it passes the same check as a request's, so a
// bidi control never reaches the ledger or a log through it. (Before:
// CheckEmail let bidi controls through.)
func TestSweepDropsBidiAddresses(t *testing.T) {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	s := &Sweeper{Now: func() time.Time { return now }}
	old := now.AddDate(0, 0, -100)
	got := s.collect(context.Background(), listed{
		{ID: "u1", Email: "evil\u202egro.elpmaxe@example.com", LastActive: old},
		{ID: "u2", Email: "ok@example.com", LastActive: old},
	}, provider.ListQuery{}, Inactive{Connection: "crm", Days: 90}, &InactiveResult{})
	if len(got) != 2 || got[0].UserID != "u1" || got[0].Email != "" || got[1].Email != "ok@example.com" {
		t.Fatalf("%+v", got)
	}
}
