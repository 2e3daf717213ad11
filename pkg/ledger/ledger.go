package ledger

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/revoke-dev/revoke/pkg/message"
)

// Ledger is revoke's record of requests and outcomes on a Store. Safe for
// concurrent use.
type Ledger struct {
	Store     Store
	Retention time.Duration    // LEDGER_RETENTION_DAYS
	Now       func() time.Time // nil: time.Now
}

// New returns a ledger on store keeping records for retention.
func New(store Store, retention time.Duration) *Ledger {
	return &Ledger{Store: store, Retention: retention}
}

func (l *Ledger) now() time.Time {
	if l.Now != nil {
		return l.Now()
	}
	return time.Now()
}

func (l *Ledger) expiry(from time.Time) int64 {
	r := l.Retention
	if r <= 0 {
		r = 400 * 24 * time.Hour
	}
	return from.Add(r).Unix()
}

// Partition and sort keys. Timestamps in sort keys have a fixed width so
// that they sort as strings.
const (
	pkRequest    = "REQ#"
	skMeta       = "#"
	skTarget     = "T#"
	gEmail       = "EMAIL#"
	gUnqueued    = "UNQUEUED"
	pkKey        = "KEY#"
	pkDirectory  = "DIR#"
	skDirUser    = "U#"
	pkUnresolved = "UNRESOLVED"
	sortTime     = "2006-01-02T15:04:05.000000000Z"
)

func stamp(t time.Time) string { return t.UTC().Format(sortTime) }

func encode(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("ledger: encode %T: %v", v, err)) // only plain structs are encoded
	}
	return b
}

// getJSON reads the item at k and decodes its data into v. found is false,
// with a nil error, when there is no such item; ver is the item's version,
// for a conditional write. A failed read returns the store's error as it
// is, with found false; an item whose data does not decode returns the
// decoding error with found true, so a caller can treat it as absent.
func (l *Ledger) getJSON(ctx context.Context, k Key, v any) (found bool, ver int64, err error) {
	it, err := l.Store.Get(ctx, k)
	if err != nil || it == nil {
		return false, 0, err
	}
	return true, it.Ver, json.Unmarshal(it.Data, v)
}

// Request is one request's record.
type Request struct {
	ID          string         `json:"request_id"`
	Action      message.Action `json:"action"`
	Reason      string         `json:"reason,omitempty"`
	Source      message.Source `json:"source"`
	Actor       string         `json:"actor"`
	DryRun      bool           `json:"dry_run"`
	RequestedAt time.Time      `json:"requested_at"`
	Targets     int            `json:"targets"`
	Complete    bool           `json:"complete"` // every target is queued
	Key         string         `json:"key,omitempty"`
}

// Header is the message header of the request's targets.
func (r Request) Header() message.Header {
	return message.Header{RequestID: r.ID, Action: r.Action, Reason: r.Reason, Source: r.Source, Actor: r.Actor, DryRun: r.DryRun, RequestedAt: r.RequestedAt}
}

// Target is one target's record, as the request named it. Its Email is
// the person's address: for a user id target, the address the requester
// knew (a listing's email), so the person's history finds it; it is stored
// as known_email there (target_json.go), as it always was.
type Target struct {
	Key string `json:"key"`
	message.Target
	Queued bool `json:"queued,omitempty"`
}

// TargetOf records a message target.
func TargetOf(t message.Target) Target {
	return Target{Key: t.Key(), Target: t}
}

// Attempt is one delivery's outcome for one target: append-only, folded on
// read (never an update, so out-of-order writes cannot lose a settled
// outcome).
type Attempt struct {
	RequestID   string          `json:"request_id"`
	Key         string          `json:"key"` // the target's key (message.Target.Key)
	MessageID   string          `json:"message_id,omitempty"`
	Outcome     message.Outcome `json:"outcome"`
	Code        message.Code    `json:"error_code,omitempty"`
	Message     string          `json:"error_message,omitempty"`
	HTTPStatus  int             `json:"http_status,omitempty"`
	Receive     int             `json:"receive"` // SQS ApproximateReceiveCount
	Redrive     int             `json:"redrive"` // the sweep's redrive_count
	Verified    *bool           `json:"verified"`
	At          time.Time       `json:"at"`
	ResolvedIDs []string        `json:"resolved_ids,omitempty"`
	// Shown is an address the provider showed for a user_id target: what
	// the provider displays, not the person's identity (Target.Email); kept
	// only when it passes message.CheckEmail, never indexed.
	Shown       string    `json:"email,omitempty"`
	RequestedAt time.Time `json:"requested_at"`
	// The target's hash chain (chain.go): this attempt's place in it and
	// the previous attempt's hash (its own is ChainHash, computed).
	Seq  int    `json:"seq,omitempty"`
	Prev string `json:"prev,omitempty"`
	// Mark names the account a revoke or restore changed for good (done
	// or already, not a dry run): the attempt is then also the account's
	// mark, under MARK#<connection> in G2 (marks.go).
	Mark *MarkRef `json:"mark,omitempty"`
}

// after reports whether a is a later attempt than b: a re-drive comes
// after every delivery before it, then deliveries in order, then time.
func (a Attempt) after(b Attempt) bool {
	if a.Redrive != b.Redrive {
		return a.Redrive > b.Redrive
	}
	if a.Receive != b.Receive {
		return a.Receive > b.Receive
	}
	return a.At.After(b.At)
}

func requestPK(id string) string { return pkRequest + id }

func (l *Ledger) metaItem(r Request) Item {
	it := Item{PK: requestPK(r.ID), SK: skMeta, TTL: l.expiry(r.RequestedAt), Data: encode(r)}
	if !r.Complete {
		it.G2PK, it.G2SK = gUnqueued, stamp(r.RequestedAt)+"#"+r.ID
	}
	return it
}

func (l *Ledger) targetItem(r Request, t Target) Item {
	it := Item{PK: requestPK(r.ID), SK: skTarget + t.Key, TTL: l.expiry(r.RequestedAt), Data: encode(t)}
	if e := message.NormalEmail(t.Email); e != "" {
		it.G1PK, it.G1SK = gEmail+e, stamp(r.RequestedAt)+"#"+r.ID
	}
	return it
}

// attemptItem is an attempt's item; a is bounded already (AppendAttempts
// bounds each attempt before link hashes it). What a provider showed
// (Shown, ResolvedIDs) is never part of a key: it is kept as shown, not
// as anyone's identity, so a provider cannot write into another person's
// history.
func (l *Ledger) attemptItem(a Attempt) Item {
	it := Item{PK: requestPK(a.RequestID), SK: attemptSK(a), TTL: l.expiry(a.RequestedAt), Data: encode(a)}
	if a.Mark.valid() {
		it.G2PK, it.G2SK = markKeys(a.Mark.Connection, a.Mark.UserID, a.RequestedAt)
	}
	return it
}

// attemptSK is an attempt's sort key: by delivery, not by chain position,
// so a rewritten chain cannot reuse another attempt's key.
func attemptSK(a Attempt) string {
	return fmt.Sprintf("%s%s#A#%04d#%05d#%s#%s", skTarget, a.Key, a.Redrive, a.Receive, stamp(a.At), a.MessageID)
}

// Bounds of what an attempt keeps from a provider's answers.
const (
	maxResolvedIDs = 100
	maxResolvedID  = 256
)

// bounded drops a shown address that fails the request's email check,
// keeps each resolved id in a form fit for the evidence (shownID), and
// cuts the ids and the error text to their bounds.
func (a Attempt) bounded() Attempt {
	if a.Shown != "" && message.CheckEmail(a.Shown) != nil {
		a.Shown = ""
	}
	if len(a.ResolvedIDs) > maxResolvedIDs {
		a.ResolvedIDs = a.ResolvedIDs[:maxResolvedIDs]
	}
	ids := make([]string, 0, len(a.ResolvedIDs))
	for _, id := range a.ResolvedIDs {
		if id != "" {
			ids = append(ids, shownID(id))
		}
	}
	a.ResolvedIDs = ids
	if len(a.Message) > message.MaxErrorMessage {
		a.Message = strings.ToValidUTF8(a.Message[:message.MaxErrorMessage], "")
	}
	return a
}

// shownID is a provider's account id as the evidence shows it: as it is
// when it may reach a log, the status API and the CSV (message.CheckText)
// within maxResolvedID bytes; otherwise quoted in ASCII and cut, so the
// account stays named (an account was changed) but a bidi control or a
// line break cannot make the evidence read differently.
func shownID(id string) string {
	if len(id) <= maxResolvedID && message.CheckText(id) == nil {
		return id
	}
	cut := strings.ToValidUTF8(id[:min(len(id), maxQuotedID)], "")
	q := strconv.QuoteToASCII(cut)
	if len(cut) < len(id) {
		q += "..."
	}
	return q
}

// maxQuotedID bounds the bytes of an unsafe or oversized id that are
// quoted (at most 6 ASCII bytes each: within maxResolvedID with the quotes).
const maxQuotedID = 40

// kind of a request partition item, from its payload.
type probe struct {
	RequestID string          `json:"request_id"`
	Key       string          `json:"key"`
	Outcome   message.Outcome `json:"outcome"`
}
