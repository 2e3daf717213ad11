package ledger

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// KeyTTL is how long an idempotency or event key is remembered.
const KeyTTL = 24 * time.Hour

// KeyRecord is what a key remembers of the request it made.
type KeyRecord struct {
	Key       string    `json:"key"`
	RequestID string    `json:"request_id"`
	BodyHash  string    `json:"body_hash,omitempty"` // caller keys only: a repeat must carry the same body
	Accepted  int       `json:"accepted"`
	Created   time.Time `json:"created"`
}

// ClaimKey remembers key for rec's request unless a live record of the key
// exists: then that record is returned (and nothing is written). Keys are
// already scoped by the caller ("idem:<actor>:<key>", "okta:<uuid>", …).
// Created is the claim's time (zero: now).
func (l *Ledger) ClaimKey(ctx context.Context, rec KeyRecord) (existing *KeyRecord, err error) {
	if rec.Created.IsZero() {
		rec.Created = l.now()
	}
	it := Item{PK: pkKey + rec.Key, SK: skMeta, TTL: rec.Created.Add(KeyTTL).Unix(), Data: encode(rec)}
	err = l.Store.Write(ctx, Write{Put: &it, IfAbsent: true})
	if err == nil {
		return nil, nil
	}
	if !errors.Is(err, ErrCondition) {
		return nil, fmt.Errorf("ledger: claim key: %w", err)
	}
	var old KeyRecord
	found, _, err := l.getJSON(ctx, Key{PK: pkKey + rec.Key, SK: skMeta}, &old)
	if err != nil {
		return nil, fmt.Errorf("ledger: read key: %w", err)
	}
	if !found { // expired between the two calls: claim again
		return l.ClaimKey(ctx, rec)
	}
	return &old, nil
}
