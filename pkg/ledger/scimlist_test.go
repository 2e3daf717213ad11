package ledger_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/revoke-dev/revoke/internal/storetest"
	"github.com/revoke-dev/revoke/pkg/ledger"
	"github.com/revoke-dev/revoke/pkg/message"
)

// readCounter counts the items a store reads for queries and counts.
type readCounter struct {
	ledger.Store
	items atomic.Int64
}

func (r *readCounter) Query(ctx context.Context, q ledger.Query) (ledger.Page, error) {
	p, err := r.Store.Query(ctx, q)
	r.items.Add(int64(len(p.Items)))
	return p, err
}

func (r *readCounter) Count(ctx context.Context, q ledger.Query) (int, error) {
	n, err := r.Store.Count(ctx, q)
	r.items.Add(int64(n))
	return n, err
}

// TestSCIMListingIsLinear: an identity provider's full listing, page after
// page, reads each user about twice (one count, one read), not O(N²)
// (before: every page counted every user and read every user before it:
// 3,900 item reads for 300 users in pages of 50; now at most 3N). A jump
// to an offset no page ended at still answers the right users.
func TestSCIMListingIsLinear(t *testing.T) {
	stores(t, func(t *testing.T, l *ledger.Ledger, clock *storetest.Clock) {
		const n, page = 300, 50
		var want []string
		for i := range n {
			clock.Add(time.Millisecond)
			u := ledger.SCIMUser{ID: message.NewID(), UserName: fmt.Sprintf("user%03d@example.com", i), Owner: "entra", Created: clock.Now()}
			if err := l.CreateSCIMUser(ctx, u); err != nil {
				t.Fatal(err)
			}
			want = append(want, u.ID)
		}
		if err := l.CreateSCIMUser(ctx, ledger.SCIMUser{ID: message.NewID(), UserName: "other@example.com", Owner: "okta", Created: clock.Now()}); err != nil {
			t.Fatal(err)
		}
		rc := &readCounter{Store: l.Store}
		l.Store = rc
		var got []string
		for offset := 0; ; offset += page {
			users, total, err := l.SCIMUsers(ctx, "entra", offset, page)
			if err != nil || total != n {
				t.Fatalf("offset %d: total %d %v", offset, total, err)
			}
			if len(users) == 0 {
				break
			}
			for _, u := range users {
				got = append(got, u.ID)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("listed %d users, want %d in creation order", len(got), len(want))
		}
		t.Logf("a full listing of %d users in pages of %d read %d items", n, page, rc.items.Load())
		if reads := rc.items.Load(); reads > 3*n {
			t.Fatalf("a full listing read %d items for %d users", reads, n)
		}
		users, total, err := l.SCIMUsers(ctx, "entra", 125, 10)
		if err != nil || total != n || len(users) != 10 || users[0].ID != want[125] || users[9].ID != want[134] {
			t.Fatalf("a jump: %d users, total %d, %v", len(users), total, err)
		}
	})
}
