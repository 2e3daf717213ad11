package ledger

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strings"
)

// Tamper-evident history (docs/design.md §8). Each target's attempts form
// one hash chain: attempt n carries its position (Seq) and the hash of
// attempt n-1 (Prev; for the first, a genesis hash of the request id and
// the target's key); an attempt's hash (ChainHash) covers its content,
// Seq and Prev included. A head item per target (T#<key>#A!) holds the
// last attempt's position and hash; it is written in the same transaction
// as the attempts, on the condition that it is still the head that was
// read, so concurrent or redelivered writers of one target append one
// after another and never fork the chain. The chain is per target, not
// per request: one request's targets are settled by many consumers at
// once, and one head per request would serialise all of them.

// skHead is the suffix of a target's chain head: after the target's item
// and before its attempts ("!" < "#"), never part of a connection name.
const skHead = "#A!"

// maxChainRounds bounds the re-reads after a head changed under a write.
const maxChainRounds = 8

// ChainHead is a target's last link (its request and target are the
// item's keys).
type ChainHead struct {
	Seq  int    `json:"seq"`
	Hash string `json:"hash"`
}

func headSK(key string) string { return skTarget + key + skHead }

// Genesis is the Prev of a target's first attempt.
func Genesis(requestID, key string) string {
	h := sha256.Sum256([]byte("revoke-chain-v1\x00" + requestID + "\x00" + key))
	return base64.RawURLEncoding.EncodeToString(h[:])
}

// ChainHash is an attempt's hash: SHA-256 of its JSON as it reads back,
// in unpadded base64url (43 characters). JSON turns a string's invalid
// UTF-8 (a provider's error text) into U+FFFD, so the attempt is hashed
// as the ledger and an export give it back, not as it was handed in:
// otherwise an intact chain would fail --verify. For valid text both are
// the same bytes.
func ChainHash(a Attempt) string {
	b := encode(a)
	if bytes.Contains(b, []byte(`\ufffd`)) { // what encoding/json writes for a bad byte
		var back Attempt
		if json.Unmarshal(b, &back) == nil {
			b = encode(back)
		}
	}
	h := sha256.Sum256(append([]byte("revoke-attempt-v1\x00"), b...))
	return base64.RawURLEncoding.EncodeToString(h[:])
}

type chainKey struct{ request, key string }

// Link is where an attempt went in its target's chain: its position and
// hash, what the consumer's audit line shows, so a copy of every link is
// in the logs, which no function's role can change.
type Link struct {
	Seq  int
	Hash string
}

// RecordAttempts appends outcomes to their targets' chains (AppendAttempts
// without the links).
func (l *Ledger) RecordAttempts(ctx context.Context, attempts []Attempt) error {
	_, err := l.AppendAttempts(ctx, attempts)
	return err
}

// Known is a target's chain head its caller wrote itself earlier in the
// invocation (the link AppendAttempts returned for its last attempt).
// AppendAttempts does not read it again; a head that moved since costs one
// re-read, as the head's put is conditional on it.
type Known struct {
	RequestID, Key string
	Link
}

// AppendAttempts appends outcomes to their targets' chains: one BatchGet
// of the heads not known (100 a call), then transactions of up to 100
// items, each target's attempts with its head (so 1000 targets take
// 10 + 20 calls, 20 when every head is known). The attempts are only ever
// added (IfAbsent), never overwritten. It returns each attempt's link, in
// order (zero for one a lost answer had already stored).
func (l *Ledger) AppendAttempts(ctx context.Context, attempts []Attempt, known ...Known) ([]Link, error) {
	links := map[string]Link{} // by request id and attempt sort key
	groups := map[chainKey][]Attempt{}
	seen := map[string]bool{}
	var pending []chainKey
	for _, a := range attempts {
		a = a.bounded() // before link hashes it: the hash covers what is stored
		if sk := a.RequestID + "\x00" + attemptSK(a); seen[sk] {
			continue // one delivery twice in a batch: one item
		} else {
			seen[sk] = true
		}
		k := chainKey{a.RequestID, a.Key}
		if _, ok := groups[k]; !ok {
			pending = append(pending, k)
		}
		groups[k] = append(groups[k], a)
	}
	given := map[chainKey]*ChainHead{}
	for _, k := range known {
		if h := given[chainKey{k.RequestID, k.Key}]; k.Seq > 0 && (h == nil || k.Seq > h.Seq) {
			given[chainKey{k.RequestID, k.Key}] = &ChainHead{Seq: k.Seq, Hash: k.Hash}
		}
	}
	for round := 0; len(pending) > 0; round++ {
		if round == maxChainRounds {
			return nil, fmt.Errorf("ledger: record outcomes: %w", errChainBusy)
		}
		var err error
		if pending, err = l.appendRound(ctx, groups, pending, round > 0, links, given); err != nil {
			return nil, fmt.Errorf("ledger: record outcomes: %w", err)
		}
	}
	out := make([]Link, len(attempts))
	for i, a := range attempts {
		out[i] = links[a.RequestID+"\x00"+attemptSK(a)] // bounded does not change a key field
	}
	return out, nil
}

var errChainBusy = errors.New("the chain heads kept changing")

// appendRound reads the heads of pending (those not given, in the first
// round) and writes their attempts, returning the targets whose head
// changed meanwhile (to read again). After a conflict (recheck), attempts
// already stored are dropped first: a write that succeeded but whose
// answer was lost is not repeated.
func (l *Ledger) appendRound(ctx context.Context, groups map[chainKey][]Attempt, pending []chainKey, recheck bool, links map[string]Link, given map[chainKey]*ChainHead) ([]chainKey, error) {
	read := pending
	if !recheck {
		read = nil
		for _, k := range pending {
			if given[k] == nil {
				read = append(read, k)
			}
		}
	}
	heads := map[chainKey]*ChainHead{}
	if len(read) > 0 {
		var err error
		if heads, err = l.readHeads(ctx, read); err != nil {
			return nil, err
		}
	}
	if !recheck {
		for _, k := range pending {
			if h := given[k]; h != nil {
				heads[k] = h
			}
		}
	}
	if recheck {
		if err := l.dropStored(ctx, groups, pending); err != nil {
			return nil, err
		}
	}
	type share struct {
		k     chainKey
		n     int // attempts of k in the transaction
		links map[string]Link
	}
	var (
		writes []Write
		inTx   []share
		again  = map[chainKey]bool{}
	)
	flush := func() error {
		if len(writes) == 0 {
			return nil
		}
		err := l.Store.Write(ctx, writes...)
		for _, s := range inTx {
			switch {
			case err == nil:
				groups[s.k] = groups[s.k][s.n:]
				maps.Copy(links, s.links)
				again[s.k] = again[s.k] || len(groups[s.k]) > 0
			case errors.Is(err, ErrCondition): // a head moved: read it again
				again[s.k] = true
			}
		}
		writes, inTx = nil, nil
		if errors.Is(err, ErrCondition) {
			return nil
		}
		return err
	}
	for _, k := range pending {
		atts := groups[k]
		if len(atts) == 0 {
			continue
		}
		atts = atts[:min(len(atts), maxTransaction-1)] // the rest in a later round
		if len(writes)+len(atts)+1 > maxTransaction {
			if err := flush(); err != nil {
				return nil, err
			}
		}
		ws, ls := l.link(k, heads[k], atts)
		writes = append(writes, ws...)
		inTx = append(inTx, share{k, len(atts), ls})
	}
	if err := flush(); err != nil {
		return nil, err
	}
	var out []chainKey
	for _, k := range pending {
		if again[k] {
			out = append(out, k)
		}
	}
	return out, nil
}

// link chains atts after head (nil: the first) and returns their puts,
// each only if absent, and the head's, only if it is still head, with
// each attempt's link by its sort key.
func (l *Ledger) link(k chainKey, head *ChainHead, atts []Attempt) ([]Write, map[string]Link) {
	links := map[string]Link{}
	h := ChainHead{Hash: Genesis(k.request, k.key)}
	var ifVer *int64
	if head != nil {
		h = *head
		v := int64(head.Seq)
		ifVer = &v
	}
	out := make([]Write, 0, len(atts)+1)
	requestedAt := atts[0].RequestedAt
	for _, a := range atts {
		a.Seq, a.Prev = h.Seq+1, h.Hash
		h.Seq, h.Hash = a.Seq, ChainHash(a)
		links[a.RequestID+"\x00"+attemptSK(a)] = Link{Seq: h.Seq, Hash: h.Hash}
		it := l.attemptItem(a)
		out = append(out, Write{Put: &it, IfAbsent: true})
	}
	hi := Item{PK: requestPK(k.request), SK: headSK(k.key), TTL: l.expiry(requestedAt), Ver: int64(h.Seq), Data: encode(h)}
	return append(out, Write{Put: &hi, IfAbsent: head == nil, IfVer: ifVer}), links
}

// decodeHead reads a chain head item: its request id, target key and
// head (nil: not one).
func decodeHead(it Item) (requestID, key string, h *ChainHead) {
	key, ok := strings.CutSuffix(it.SK, skHead)
	if !ok || !strings.HasPrefix(key, skTarget) || !strings.HasPrefix(it.PK, pkRequest) {
		return "", "", nil
	}
	var head ChainHead
	if json.Unmarshal(it.Data, &head) != nil || head.Seq < 1 {
		return "", "", nil
	}
	return it.PK[len(pkRequest):], key[len(skTarget):], &head
}

// readHeads reads the chain heads of keys (strongly consistent).
func (l *Ledger) readHeads(ctx context.Context, keys []chainKey) (map[chainKey]*ChainHead, error) {
	ks := make([]Key, len(keys))
	for i, k := range keys {
		ks[i] = Key{PK: requestPK(k.request), SK: headSK(k.key)}
	}
	items, err := l.Store.BatchGet(ctx, ks)
	if err != nil {
		return nil, err
	}
	out := map[chainKey]*ChainHead{}
	for _, it := range items {
		if id, key, h := decodeHead(it); h != nil {
			out[chainKey{id, key}] = h
		}
	}
	return out, nil
}

// dropStored removes from groups the attempts whose item already exists.
func (l *Ledger) dropStored(ctx context.Context, groups map[chainKey][]Attempt, keys []chainKey) error {
	var ks []Key
	for _, k := range keys {
		for _, a := range groups[k] {
			ks = append(ks, Key{PK: requestPK(a.RequestID), SK: attemptSK(a)})
		}
	}
	items, err := l.Store.BatchGet(ctx, ks)
	if err != nil || len(items) == 0 {
		return err
	}
	stored := map[Key]bool{}
	for _, it := range items {
		stored[it.Key()] = true
	}
	for _, k := range keys {
		kept := groups[k][:0]
		for _, a := range groups[k] {
			if !stored[Key{PK: requestPK(a.RequestID), SK: attemptSK(a)}] {
				kept = append(kept, a)
			}
		}
		groups[k] = kept
	}
	return nil
}
