package ledger_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/revoke-dev/revoke/internal/inmem"
	"github.com/revoke-dev/revoke/internal/storetest"
	"github.com/revoke-dev/revoke/pkg/ledger"
	"github.com/revoke-dev/revoke/pkg/message"
)

// chains reads every target's chain of a request through StatusPage.
func chains(t *testing.T, l *ledger.Ledger, id string) []ledger.TargetChain {
	t.Helper()
	var out []ledger.TargetChain
	cursor := ""
	for {
		p, err := l.StatusPage(ctx, id, cursor, 2)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, p.Chains...)
		if p.Next == "" {
			return out
		}
		cursor = p.Next
	}
}

func verifyAll(t *testing.T, cs []ledger.TargetChain) {
	t.Helper()
	for _, c := range cs {
		if p := ledger.VerifyChain(c); p != nil {
			t.Errorf("%s: %v", c.Key, p)
		}
	}
}

// Attempts written in several batches, redeliveries out of order and the
// sweep's re-drive, form one chain per target that verifies, on every
// page of the status.
func TestRecordAttemptsChains(t *testing.T) {
	stores(t, func(t *testing.T, l *ledger.Ledger, clock *storetest.Clock) {
		now := clock.Now()
		a, b, c := target("wiki", "u1", ""), target("wiki", "", "b@example.com"), target("crm", "u3", "")
		r := request(message.NewID(), now, a, b, c)
		if err := l.CreateRequest(ctx, r, []ledger.Target{a, b, c}); err != nil {
			t.Fatal(err)
		}
		batches := [][]ledger.Attempt{
			{attempt(r, a, message.Retrying, 2, 0, now), attempt(r, b, message.Retrying, 1, 0, now)},
			{attempt(r, a, message.Retrying, 1, 0, now.Add(time.Second)), attempt(r, b, message.Done, 2, 0, now), attempt(r, a, message.Failed, 3, 0, now)},
			{attempt(r, a, message.Done, 1, 1, now.Add(time.Minute)), attempt(r, c, message.Done, 1, 0, now)},
		}
		for _, batch := range batches {
			if err := l.RecordAttempts(ctx, batch); err != nil {
				t.Fatal(err)
			}
		}
		cs := chains(t, l, r.ID)
		if len(cs) != 3 {
			t.Fatalf("%d chains, want 3", len(cs))
		}
		verifyAll(t, cs)
		seqs := map[string]int{}
		for _, c := range cs {
			seqs[c.Key] = c.Head.Seq
		}
		if seqs[a.Key] != 4 || seqs[b.Key] != 2 || seqs[c.Key] != 1 {
			t.Errorf("heads %v, want a at 4, b at 2, c at 1", seqs)
		}
	})
}

// Consumers settling one target at once (a duplicate delivery) append one
// after another: one chain, every attempt in it, no false alarm. In memory
// only: moto's TransactWriteItems is not isolated (a cancelled transaction
// restores a copy of the whole table taken before it, losing what a
// concurrent one wrote meanwhile), which DynamoDB's are.
func TestChainConcurrentWriters(t *testing.T) {
	stores(t, func(t *testing.T, l *ledger.Ledger, clock *storetest.Clock) {
		if _, ok := l.Store.(*inmem.Store); !ok {
			t.Skip("moto's transactions are not isolated")
		}
		now := clock.Now()
		a := target("wiki", "u1", "")
		r := request(message.NewID(), now, a)
		if err := l.CreateRequest(ctx, r, []ledger.Target{a}); err != nil {
			t.Fatal(err)
		}
		const writers = 6
		var wg sync.WaitGroup
		errs := make(chan error, writers)
		for i := range writers {
			wg.Go(func() {
				errs <- l.RecordAttempts(ctx, []ledger.Attempt{attempt(r, a, message.Retrying, i+1, 0, now)})
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		cs := chains(t, l, r.ID)
		verifyAll(t, cs)
		if len(cs) != 1 || len(cs[0].Attempts) != writers || cs[0].Head.Seq != writers {
			t.Fatalf("chains %+v, want one of %d attempts", cs, writers)
		}
	})
}

// A write repeated after its answer was lost (the transaction went through)
// adds nothing and fails nothing.
func TestRecordAttemptsRepeated(t *testing.T) {
	stores(t, func(t *testing.T, l *ledger.Ledger, clock *storetest.Clock) {
		now := clock.Now()
		a := target("wiki", "u1", "")
		r := request(message.NewID(), now, a)
		if err := l.CreateRequest(ctx, r, []ledger.Target{a}); err != nil {
			t.Fatal(err)
		}
		att := attempt(r, a, message.Done, 1, 0, now)
		for range 2 {
			if err := l.RecordAttempts(ctx, []ledger.Attempt{att}); err != nil {
				t.Fatal(err)
			}
		}
		cs := chains(t, l, r.ID)
		verifyAll(t, cs)
		if len(cs[0].Attempts) != 1 || cs[0].Head.Seq != 1 {
			t.Fatalf("%d attempts, head %+v; want 1 at seq 1", len(cs[0].Attempts), cs[0].Head)
		}
	})
}

// The consumer's writes never overwrite an item: an attempt item already
// there (whoever wrote it) stays as it was. Before, BatchWriteItem's puts
// replaced it.
func TestRecordAttemptsNeverOverwrite(t *testing.T) {
	clock := storetest.NewClock(time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC))
	st := inmem.NewStore(clock.Now)
	l := ledger.New(st, 400*24*time.Hour)
	l.Now = clock.Now
	now := clock.Now()
	a := target("wiki", "u1", "")
	r := request(message.NewID(), now, a)
	if err := l.CreateRequest(ctx, r, []ledger.Target{a}); err != nil {
		t.Fatal(err)
	}
	first := attempt(r, a, message.Failed, 1, 0, now)
	if err := l.RecordAttempts(ctx, []ledger.Attempt{first}); err != nil {
		t.Fatal(err)
	}
	second := first
	second.Outcome = message.Done // same delivery, same key: a rewrite
	if err := l.RecordAttempts(ctx, []ledger.Attempt{second}); err != nil {
		t.Fatal(err)
	}
	cs := chains(t, l, r.ID)
	if got := cs[0].Attempts; len(got) != 1 || got[0].Outcome != message.Failed {
		t.Fatalf("attempts %+v, want the first (failed) kept", got)
	}
}

// 1000 targets' outcomes: one BatchGet of heads per 100 and one
// transaction per 50 targets (each attempt with its head): 30 calls, within
// issue 13's 50.
func TestRecordAttemptsCalls(t *testing.T) {
	clock := storetest.NewClock(time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC))
	st := inmem.NewStore(clock.Now)
	l := ledger.New(st, 400*24*time.Hour)
	now := clock.Now()
	r := request(message.NewID(), now)
	var atts []ledger.Attempt
	for i := range 1000 {
		atts = append(atts, attempt(r, target("wiki", fmt.Sprintf("u%d", i), ""), message.Done, 1, 0, now))
	}
	before := st.Calls.Load()
	if err := l.RecordAttempts(ctx, atts); err != nil {
		t.Fatal(err)
	}
	if got := st.Calls.Load() - before; got != 30 {
		t.Errorf("%d store calls for 1000 targets, want 30", got)
	}
}

// intact builds a chain of n attempts the way RecordAttempts does.
func intact(n int) ledger.TargetChain {
	c := ledger.TargetChain{RequestID: "7d2f1f80-5f7e-4b7e-9a51-4f1f2e3d4c5b", Key: "u:u1#wiki"}
	prev := ledger.Genesis(c.RequestID, c.Key)
	at := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	for i := 1; i <= n; i++ {
		a := ledger.Attempt{RequestID: c.RequestID, Key: c.Key, Outcome: message.Retrying, Receive: i, At: at.Add(time.Duration(i) * time.Second), Seq: i, Prev: prev}
		prev = ledger.ChainHash(a)
		c.Attempts = append(c.Attempts, a)
	}
	c.Head = &ledger.ChainHead{Seq: n, Hash: prev}
	return c
}

// VerifyChain sees a changed, reordered, deleted or foreign attempt and a
// rewritten head; an intact chain in any order passes.
func TestVerifyChain(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(c *ledger.TargetChain)
		want   string // a part of the first problem; "": none
	}{
		{"intact", func(*ledger.TargetChain) {}, ""},
		{"intact, exported in another order", func(c *ledger.TargetChain) {
			c.Attempts[0], c.Attempts[3] = c.Attempts[3], c.Attempts[0]
		}, ""},
		{"an outcome changed", func(c *ledger.TargetChain) { c.Attempts[2].Outcome = message.Done }, "not linked to attempt 3"},
		{"a time changed", func(c *ledger.TargetChain) { c.Attempts[1].At = c.Attempts[1].At.Add(time.Hour) }, "not linked to attempt 2"},
		{"the last attempt changed", func(c *ledger.TargetChain) { c.Attempts[3].Outcome = message.Done }, "does not match attempt 4"},
		{"reordered: two positions swapped", func(c *ledger.TargetChain) {
			c.Attempts[1].Seq, c.Attempts[2].Seq = c.Attempts[2].Seq, c.Attempts[1].Seq
		}, "not linked"},
		{"reordered: two outcomes swapped", func(c *ledger.TargetChain) {
			c.Attempts[0].Outcome, c.Attempts[3].Outcome = message.Done, message.Failed
		}, "not linked to attempt 1"},
		{"a middle attempt deleted", func(c *ledger.TargetChain) {
			c.Attempts = append(c.Attempts[:1], c.Attempts[2:]...)
		}, "missing: attempts 2 to 2"},
		{"the last attempt deleted", func(c *ledger.TargetChain) { c.Attempts = c.Attempts[:3] }, "missing: attempts 4 to 4, the last"},
		{"the head deleted", func(c *ledger.TargetChain) { c.Head = nil }, "no chain head"},
		{"the head rewritten", func(c *ledger.TargetChain) { c.Head.Hash = strings.Repeat("0", 64) }, "does not match"},
		{"an attempt copied from another target", func(c *ledger.TargetChain) { c.Attempts[0].Key = "u:u2#wiki" }, "another target"},
		{"an attempt without a link", func(c *ledger.TargetChain) { c.Attempts[3].Prev = "" }, "outside the chain"},
		{"a duplicate position", func(c *ledger.TargetChain) { c.Attempts = append(c.Attempts, c.Attempts[1]) }, "two attempts"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := intact(4)
			tc.tamper(&c)
			got := ledger.VerifyChain(c)
			if tc.want == "" {
				if got != nil {
					t.Fatalf("problems %v, want none", got)
				}
				return
			}
			if len(got) == 0 || !strings.Contains(got[0].What, tc.want) {
				t.Fatalf("problems %v, want one saying %q", got, tc.want)
			}
		})
	}
}

// FuzzVerifyChain: any exported chain (outside input to revokectl) is
// checked without a panic, and an intact chain, shuffled, still passes.
func FuzzVerifyChain(f *testing.F) {
	b, _ := json.Marshal(intact(3))
	f.Add(b, uint64(1))
	f.Add([]byte(`{"request_id":"x","key":"k","head":{"seq":9},"attempts":[{"seq":-1},{"seq":1}]}`), uint64(2))
	f.Fuzz(func(t *testing.T, data []byte, seed uint64) {
		var c ledger.TargetChain
		if json.Unmarshal(data, &c) == nil {
			_ = ledger.VerifyChain(c)
		}
		ok := intact(5)
		rand.New(rand.NewPCG(seed, 0)).Shuffle(len(ok.Attempts), func(i, j int) { ok.Attempts[i], ok.Attempts[j] = ok.Attempts[j], ok.Attempts[i] })
		if p := ledger.VerifyChain(ok); p != nil {
			t.Fatalf("intact chain: %v", p)
		}
	})
}

// AppendAttempts returns each attempt's link, in order: the position and
// hash the chain holds (the last one is the head).
func TestAppendAttemptsLinks(t *testing.T) {
	stores(t, func(t *testing.T, l *ledger.Ledger, clock *storetest.Clock) {
		now := clock.Now()
		a, b := target("wiki", "u1", ""), target("wiki", "u2", "")
		r := request(message.NewID(), now, a, b)
		if err := l.CreateRequest(ctx, r, []ledger.Target{a, b}); err != nil {
			t.Fatal(err)
		}
		links, err := l.AppendAttempts(ctx, []ledger.Attempt{
			attempt(r, a, message.Retrying, 1, 0, now), attempt(r, b, message.Done, 1, 0, now), attempt(r, a, message.Done, 2, 0, now),
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(links) != 3 || links[0].Seq != 1 || links[1].Seq != 1 || links[2].Seq != 2 {
			t.Fatalf("links %+v, want positions 1, 1, 2", links)
		}
		for _, c := range chains(t, l, r.ID) {
			want := links[1].Hash
			if c.Key == a.Key {
				want = links[2].Hash
			}
			if c.Head.Hash != want {
				t.Errorf("%s: head %s, last link %s", c.Key, c.Head.Hash, want)
			}
		}
	})
}

// One delivery twice in one batch (SQS may repeat a message) is one
// attempt, and both get its link. (Before: a duplicate key in the batch
// failed the whole write.)
func TestAppendAttemptsDuplicateInBatch(t *testing.T) {
	stores(t, func(t *testing.T, l *ledger.Ledger, clock *storetest.Clock) {
		now := clock.Now()
		a := target("wiki", "u1", "")
		r := request(message.NewID(), now, a)
		if err := l.CreateRequest(ctx, r, []ledger.Target{a}); err != nil {
			t.Fatal(err)
		}
		att := attempt(r, a, message.Done, 1, 0, now)
		links, err := l.AppendAttempts(ctx, []ledger.Attempt{att, att})
		if err != nil {
			t.Fatal(err)
		}
		cs := chains(t, l, r.ID)
		verifyAll(t, cs)
		if len(cs[0].Attempts) != 1 || links[0] != links[1] || links[0].Seq != 1 {
			t.Fatalf("%d attempts, links %+v", len(cs[0].Attempts), links)
		}
	})
}
