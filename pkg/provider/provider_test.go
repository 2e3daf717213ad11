package provider_test

import (
	"testing"
	"time"

	"github.com/revoke-dev/revoke/pkg/provider"
)

func TestListQueryInactive(t *testing.T) {
	since := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	old, recent := since.AddDate(0, -1, 0), since.AddDate(0, 1, 0)
	for _, tc := range []struct {
		name  string
		since time.Time
		a     provider.Account
		want  bool
	}{
		{"no cut-off selects all", time.Time{}, provider.Account{}, true},
		{"last active before", since, provider.Account{LastActive: old}, true},
		{"last active after", since, provider.Account{LastActive: recent, Created: old}, false},
		{"never signed in, created before", since, provider.Account{Created: old}, true},
		{"never signed in, created after", since, provider.Account{Created: recent}, false},
		{"no dates at all", since, provider.Account{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := (provider.ListQuery{InactiveSince: tc.since}).Inactive(tc.a); got != tc.want {
				t.Fatalf("Inactive = %v, want %v", got, tc.want)
			}
		})
	}
}
