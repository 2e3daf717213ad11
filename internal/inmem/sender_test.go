package inmem

import (
	"context"
	"errors"
	"testing"

	"github.com/revoke-dev/revoke/pkg/queue"
)

// What Refuse or Next refuses comes back by the caller's index and is not
// recorded; Err fails the whole call.
func TestSender(t *testing.T) {
	ctx := context.Background()
	next := &Sender{Refuse: func(_, i int, _ queue.Outgoing) bool { return i == 0 }} // refuses the first it is passed
	s := &Sender{Next: next, Refuse: func(_, i int, _ queue.Outgoing) bool { return i == 1 }}
	failed, err := s.SendBatch(ctx, "q", []queue.Outgoing{{Body: "a"}, {Body: "b"}, {Body: "c"}})
	if err != nil || len(failed) != 2 || failed[0] != 0 || failed[1] != 1 {
		t.Fatalf("failed %v %v", failed, err)
	}
	if got := s.Sent(); len(got) != 1 || got[0].Body != "c" || s.Calls() != 1 {
		t.Fatalf("sent %v, %d calls", got, s.Calls())
	}
	s.Err = errors.New("down")
	if _, err := s.SendBatch(ctx, "q", []queue.Outgoing{{Body: "d"}}); err == nil || len(s.Sent()) != 1 {
		t.Fatalf("err %v, sent %d", err, len(s.Sent()))
	}
}
