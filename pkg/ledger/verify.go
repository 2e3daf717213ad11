package ledger

import (
	"fmt"
	"sort"
)

// TargetChain is one target's hash chain as exported: its head and every
// attempt, in any order.
type TargetChain struct {
	RequestID string     `json:"request_id"`
	Key       string     `json:"key"`
	Head      *ChainHead `json:"head"`
	Attempts  []Attempt  `json:"attempts"`
}

// ChainProblem is one place where an export and its chain disagree.
type ChainProblem struct {
	RequestID string `json:"request_id"`
	Key       string `json:"key"`
	Seq       int    `json:"seq,omitempty"`
	What      string `json:"problem"`
}

// VerifyChain checks one target's chain: one attempt per position from 1,
// each linked to the hash of the one before (the first to the genesis of
// the request and key), and the head at the hash of the last. A changed
// attempt breaks the link after it (or the head's); a reordered one its
// own; a deleted one leaves a gap or a head past the end. Nil: the chain
// holds. The order of the export does not matter: concurrent and
// redelivered attempts were appended one after another (chain.go),
// whatever their delivery order.
func VerifyChain(c TargetChain) []ChainProblem {
	var out []ChainProblem
	bad := func(seq int, format string, args ...any) {
		out = append(out, ChainProblem{RequestID: c.RequestID, Key: c.Key, Seq: seq, What: fmt.Sprintf(format, args...)})
	}
	atts := make([]Attempt, 0, len(c.Attempts))
	for _, a := range c.Attempts {
		switch {
		case a.RequestID != c.RequestID || a.Key != c.Key:
			bad(a.Seq, "an attempt of another target (%s, %s)", a.RequestID, a.Key)
		case a.Prev == "" || a.Seq < 1:
			bad(a.Seq, "an attempt outside the chain (no position or link)")
		default:
			atts = append(atts, a)
		}
	}
	sort.SliceStable(atts, func(i, j int) bool { return atts[i].Seq < atts[j].Seq })
	prev, seq := Genesis(c.RequestID, c.Key), 0
	for _, a := range atts {
		switch {
		case a.Seq == seq:
			bad(a.Seq, "two attempts at one position")
			continue
		case a.Seq > seq+1:
			bad(seq+1, "missing: attempts %d to %d are not in the export", seq+1, a.Seq-1)
		case a.Prev != prev:
			bad(a.Seq, "not linked to attempt %d: that attempt was changed, or this one reordered or replaced", seq)
		}
		prev, seq = ChainHash(a), a.Seq
	}
	switch h := c.Head; {
	case h == nil && len(c.Attempts) > 0:
		bad(0, "no chain head: the target's last link is missing")
	case h == nil:
	case h.Seq > seq:
		bad(h.Seq, "missing: attempts %d to %d, the last ones, are not in the export", seq+1, h.Seq)
	case h.Seq < seq || h.Hash != prev:
		bad(h.Seq, "the head does not match attempt %d: that attempt was changed, or the head rewritten", seq)
	}
	return out
}
