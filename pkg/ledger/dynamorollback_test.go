package ledger_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/revoke-dev/revoke/internal/awstest"
	"github.com/revoke-dev/revoke/pkg/ledger"
)

// A transaction cancelled by its condition changes nothing, and above all
// undoes nothing another writer committed meanwhile. moto's
// TransactWriteItems rolls a cancelled transaction back by restoring a
// copy of the whole table taken when it began, so, run concurrently, it
// erased the transactions that committed in between: the fault soak
// (internal/soak) saw a batch's recorded outcomes vanish after their
// messages were deleted. scripts/moto-server serialises the table's
// operations, as DynamoDB's transactions are atomic and isolated.
func TestDynamoCancelledTransactionKeepsConcurrentCommits(t *testing.T) {
	env := awstest.New(t)
	_, s := env.Ledger(t)
	ctx := context.Background()

	// A table big enough that copying it takes a while.
	var fill []ledger.Item
	for i := range 3000 {
		fill = append(fill, ledger.Item{PK: "R#fill", SK: fmt.Sprintf("T#%05d", i), Data: []byte(`{"pad":"0123456789012345678901234567890123456789"}`)})
	}
	if err := s.BatchPut(ctx, fill); err != nil {
		t.Fatal(err)
	}
	taken := ledger.Item{PK: "R#taken", SK: "T#taken", Data: []byte(`{}`)}
	if err := s.BatchPut(ctx, []ledger.Item{taken}); err != nil {
		t.Fatal(err)
	}

	const commits = 40
	var stop atomic.Bool
	var cancelled, failed atomic.Int64
	var wg sync.WaitGroup
	for w := range 2 { // transactions that are always cancelled
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; !stop.Load(); i++ {
				other := ledger.Item{PK: "R#loser", SK: fmt.Sprintf("T#%d-%d", w, i), Data: []byte(`{}`)}
				err := s.Write(ctx, ledger.Write{Put: &other, IfAbsent: true}, ledger.Write{Put: &taken, IfAbsent: true})
				if errors.Is(err, ledger.ErrCondition) {
					cancelled.Add(1)
				} else {
					failed.Add(1) // moto could fail copying a table being written
				}
			}
		}()
	}
	var keys []ledger.Key
	for i := range commits {
		a := ledger.Item{PK: "R#winner", SK: fmt.Sprintf("T#%03d#a", i), Data: []byte(`{}`)}
		b := ledger.Item{PK: "R#winner", SK: fmt.Sprintf("T#%03d#b", i), Data: []byte(`{}`)}
		if err := s.Write(ctx, ledger.Write{Put: &a, IfAbsent: true}, ledger.Write{Put: &b, IfAbsent: true}); err != nil {
			t.Errorf("commit %d: %v", i, err)
			continue
		}
		keys = append(keys, a.Key(), b.Key())
	}
	stop.Store(true)
	wg.Wait()

	if n := failed.Load(); n > 0 {
		t.Errorf("%d cancelled transactions failed otherwise (want ErrCondition)", n)
	}
	got, err := s.BatchGet(ctx, keys)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(keys) {
		t.Errorf("%d of %d committed items survive %d concurrent cancelled transactions", len(got), len(keys), cancelled.Load())
	}
	losers, err := s.Count(ctx, ledger.Query{PK: "R#loser"})
	if err != nil {
		t.Fatal(err)
	}
	if losers != 0 {
		t.Errorf("%d items of cancelled transactions were written", losers)
	}
}
