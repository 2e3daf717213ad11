package ledger

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrUniqueness means another SCIM user already has the userName.
var ErrUniqueness = errors.New("ledger: userName is taken")

// ErrVersion means the SCIM user changed since it was read.
var ErrVersion = errors.New("ledger: the user changed since it was read")

// SCIM user records (docs/design.md §1a): the user item, a uniqueness item
// per userName (lower-cased), an index item per email; externalId and the
// listing are secondary-index keys of the user item. The listing is
// partitioned by the SCIM token (name) that owns the user, so one identity
// provider lists only its own users. SCIM users never expire; they go when
// the identity provider deletes them.
const (
	pkSCIMUser  = "SCIMU#"
	pkSCIMName  = "SCIMN#"
	pkSCIMEmail = "SCIME#"
	gSCIMExt    = "SCIMX#"
	gSCIMUsers  = "SCIMUSERS"
)

// SCIMEmail is one of a SCIM user's emails.
type SCIMEmail struct {
	Value   string `json:"value"`
	Type    string `json:"type,omitempty"`
	Primary bool   `json:"primary,omitempty"`
}

// SCIMName is a SCIM user's name.
type SCIMName struct {
	Formatted       string `json:"formatted,omitempty"`
	FamilyName      string `json:"familyName,omitempty"`
	GivenName       string `json:"givenName,omitempty"`
	MiddleName      string `json:"middleName,omitempty"`
	HonorificPrefix string `json:"honorificPrefix,omitempty"`
	HonorificSuffix string `json:"honorificSuffix,omitempty"`
}

// SCIMUser is a user an identity provider provisioned into revoke.
type SCIMUser struct {
	ID           string      `json:"id"`
	UserName     string      `json:"userName"`
	ExternalID   string      `json:"externalId,omitempty"`
	Active       bool        `json:"active"`
	Emails       []SCIMEmail `json:"emails,omitempty"`
	Name         *SCIMName   `json:"name,omitempty"`
	DisplayName  string      `json:"displayName,omitempty"`
	Created      time.Time   `json:"created"`
	LastModified time.Time   `json:"lastModified"`
	Version      int64       `json:"version"`
	// Owner is the IdP of the SCIM token that created the user
	// (auth.Principal.IdP); no token of another IdP may see or change it. Empty for a user stored before owners
	// were kept: the first token that changes it becomes its owner.
	Owner string `json:"owner,omitempty"`
	// RevokedBy is the request id of the revocation this user's last
	// deactivation made: a re-activation restores exactly its targets, and
	// nothing when it is empty.
	RevokedBy string `json:"revoked_by,omitempty"`
}

// listPK is the listing partition of an owner's users.
func listPK(owner string) string {
	if owner == "" {
		return gSCIMUsers
	}
	return gSCIMUsers + "#" + owner
}

func (u SCIMUser) emailKeys() []string {
	seen := map[string]bool{}
	var out []string
	for _, e := range u.Emails {
		if k := strings.ToLower(e.Value); k != "" && !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}

func (l *Ledger) scimUserItem(u SCIMUser) Item {
	it := Item{PK: pkSCIMUser + u.ID, SK: skMeta, Ver: u.Version, Data: encode(u),
		G2PK: listPK(u.Owner), G2SK: stamp(u.Created) + "#" + u.ID}
	if u.ExternalID != "" {
		it.G1PK, it.G1SK = gSCIMExt+u.ExternalID, u.ID
	}
	return it
}

func nameKey(userName string) Key { return Key{PK: pkSCIMName + strings.ToLower(userName), SK: skMeta} }

func (l *Ledger) nameItem(u SCIMUser) *Item {
	k := nameKey(u.UserName)
	return &Item{PK: k.PK, SK: k.SK, Data: encode(map[string]string{"id": u.ID})}
}

func emailItem(id, email string) *Item {
	return &Item{PK: pkSCIMEmail + email, SK: id, Data: []byte(`{}`)}
}

// CreateSCIMUser stores a new user (Version 1). ErrUniqueness when the
// userName is taken (case-insensitively).
func (l *Ledger) CreateSCIMUser(ctx context.Context, u SCIMUser) error {
	u.Version = 1
	it := l.scimUserItem(u)
	writes := []Write{{Put: &it, IfAbsent: true}, {Put: l.nameItem(u), IfAbsent: true}, {Put: rosterItem(u)}}
	for _, e := range u.emailKeys() {
		writes = append(writes, Write{Put: emailItem(u.ID, e)})
	}
	err := l.Store.Write(ctx, writes...)
	if errors.Is(err, ErrCondition) {
		return ErrUniqueness
	}
	if err != nil {
		return fmt.Errorf("ledger: create SCIM user: %w", err)
	}
	return nil
}

// ReplaceSCIMUser stores next over prev (read before), with Version+1.
// ErrVersion when the user changed meanwhile, ErrUniqueness when a new
// userName is taken.
func (l *Ledger) ReplaceSCIMUser(ctx context.Context, prev, next SCIMUser) (SCIMUser, error) {
	next.ID, next.Created, next.Version = prev.ID, prev.Created, prev.Version+1
	it := l.scimUserItem(next)
	ver := prev.Version
	writes := []Write{{Put: &it, IfVer: &ver}, {Put: rosterItem(next)}}
	if !strings.EqualFold(prev.UserName, next.UserName) {
		old := nameKey(prev.UserName)
		writes = append(writes, Write{Delete: &old}, Write{Put: l.nameItem(next), IfAbsent: true})
	}
	keep := map[string]bool{}
	for _, e := range next.emailKeys() {
		keep[e] = true
	}
	had := map[string]bool{}
	for _, e := range prev.emailKeys() {
		had[e] = true
		if !keep[e] {
			k := Key{PK: pkSCIMEmail + e, SK: prev.ID}
			writes = append(writes, Write{Delete: &k})
		}
	}
	for e := range keep {
		if !had[e] {
			writes = append(writes, Write{Put: emailItem(prev.ID, e)})
		}
	}
	err := l.Store.Write(ctx, writes...)
	if errors.Is(err, ErrCondition) {
		cur, gerr := l.SCIMUser(ctx, prev.ID)
		if gerr == nil && cur != nil && cur.Version == prev.Version {
			return SCIMUser{}, ErrUniqueness
		}
		return SCIMUser{}, ErrVersion
	}
	if err != nil {
		return SCIMUser{}, fmt.Errorf("ledger: replace SCIM user: %w", err)
	}
	return next, nil
}

// DeleteSCIMUser removes a user (as read) and its index items.
func (l *Ledger) DeleteSCIMUser(ctx context.Context, u SCIMUser) error {
	ver := u.Version
	k := Key{PK: pkSCIMUser + u.ID, SK: skMeta}
	name := nameKey(u.UserName)
	roster := rosterKey(u.ID)
	writes := []Write{{Delete: &k, IfVer: &ver}, {Delete: &name}, {Delete: &roster}}
	for _, e := range u.emailKeys() {
		ek := Key{PK: pkSCIMEmail + e, SK: u.ID}
		writes = append(writes, Write{Delete: &ek})
	}
	err := l.Store.Write(ctx, writes...)
	if errors.Is(err, ErrCondition) {
		return ErrVersion
	}
	if err != nil {
		return fmt.Errorf("ledger: delete SCIM user: %w", err)
	}
	return nil
}

// SCIMUser returns a user by id, or nil.
func (l *Ledger) SCIMUser(ctx context.Context, id string) (*SCIMUser, error) {
	var u SCIMUser
	found, _, err := l.getJSON(ctx, Key{PK: pkSCIMUser + id, SK: skMeta}, &u)
	switch {
	case err != nil && found:
		return nil, fmt.Errorf("ledger: SCIM user: %w", err)
	case err != nil || !found:
		return nil, err
	}
	return &u, nil
}

// SCIMUserByName returns the user whose userName equals name
// case-insensitively, or nil.
func (l *Ledger) SCIMUserByName(ctx context.Context, name string) (*SCIMUser, error) {
	var ref struct {
		ID string `json:"id"`
	}
	found, _, err := l.getJSON(ctx, nameKey(name), &ref)
	if err != nil && !found {
		return nil, err
	}
	if !found || err != nil {
		return nil, nil // an undecodable name is no user
	}
	return l.SCIMUser(ctx, ref.ID)
}

// SCIMUsersByExternalID returns the users with an externalId.
func (l *Ledger) SCIMUsersByExternalID(ctx context.Context, ext string) ([]SCIMUser, error) {
	items, err := queryAll(ctx, l.Store, Query{Index: G1, PK: gSCIMExt + ext}, 1000)
	if err != nil {
		return nil, err
	}
	return decodeSCIM(items), nil
}

// SCIMUsersByEmail returns the users with an email (case-insensitively).
func (l *Ledger) SCIMUsersByEmail(ctx context.Context, email string) ([]SCIMUser, error) {
	items, err := queryAll(ctx, l.Store, Query{PK: pkSCIMEmail + strings.ToLower(email)}, 1000)
	if err != nil {
		return nil, err
	}
	keys := make([]Key, len(items))
	for i, it := range items {
		keys[i] = Key{PK: pkSCIMUser + it.SK, SK: skMeta}
	}
	users, err := l.Store.BatchGet(ctx, keys)
	if err != nil {
		return nil, err
	}
	return decodeSCIM(users), nil
}

// SCIMUsers lists an owner's users in creation order from a 0-based
// offset, at most count, and the total. Identity providers page on
// (offset = the previous offset + count), so each page leaves a bookmark
// for the next: the key to continue from and the total counted on the
// first page, kept for an hour. A listing read page after page then costs
// one count and one read of each user, O(page) a page; only an offset no
// page ended at reads the users before it.
func (l *Ledger) SCIMUsers(ctx context.Context, owner string, offset, count int) ([]SCIMUser, int, error) {
	q := Query{Index: G2, PK: listPK(owner)}
	bm, err := l.bookmark(ctx, owner, offset)
	if err != nil {
		return nil, 0, err
	}
	total := 0
	if bm != nil {
		total, q.Cursor = bm.Total, bm.Cursor
	} else if total, err = l.Store.Count(ctx, q); err != nil {
		return nil, 0, err
	}
	out := []SCIMUser{}
	if count == 0 || offset >= total || (bm != nil && bm.Cursor == "") {
		return out, total, nil
	}
	if bm == nil && offset > 0 {
		if q.Cursor, err = skip(ctx, l.Store, q, offset); err != nil || q.Cursor == "" {
			return out, total, err
		}
	}
	var items []Item
	for len(items) < count {
		q.Limit = count - len(items)
		p, err := l.Store.Query(ctx, q)
		if err != nil {
			return nil, 0, err
		}
		items, q.Cursor = append(items, p.Items...), p.Next
		if p.Next == "" {
			break
		}
	}
	// A bookmark that cannot be written only makes the next page find its
	// place the long way: the page is answered either way.
	_ = l.Store.BatchPut(ctx, []Item{{PK: pkSCIMPage + owner, SK: pageSK(offset + len(items)), TTL: l.now().Add(bookmarkTTL).Unix(),
		Data: encode(listBookmark{Cursor: q.Cursor, Total: total})}})
	return decodeSCIM(items), total, nil
}

// Listing bookmarks: SCIMP#<owner>, sort key the 0-based offset a page
// ended at.
const (
	pkSCIMPage  = "SCIMP#"
	bookmarkTTL = time.Hour
)

type listBookmark struct {
	Cursor string `json:"cursor"` // empty: that page was the last
	Total  int    `json:"total"`
}

func pageSK(offset int) string { return fmt.Sprintf("%012d", offset) }

// bookmark returns the bookmark a page ending at offset left, or nil.
func (l *Ledger) bookmark(ctx context.Context, owner string, offset int) (*listBookmark, error) {
	if offset == 0 {
		return nil, nil // a listing's first page counts afresh
	}
	var bm listBookmark
	found, _, err := l.getJSON(ctx, Key{PK: pkSCIMPage + owner, SK: pageSK(offset)}, &bm)
	if err != nil && !found {
		return nil, err
	}
	if !found || err != nil {
		return nil, nil // an undecodable bookmark is none: the page counts afresh
	}
	return &bm, nil
}

// skip reads past the first n items of a query and returns the cursor
// after them ("" when there are no more).
func skip(ctx context.Context, s Store, q Query, n int) (string, error) {
	for done := 0; done < n; {
		q.Limit = min(n-done, 1000)
		p, err := s.Query(ctx, q)
		if err != nil {
			return "", err
		}
		done += len(p.Items)
		if q.Cursor = p.Next; p.Next == "" {
			return "", nil
		}
	}
	return q.Cursor, nil
}

func decodeSCIM(items []Item) []SCIMUser {
	out := make([]SCIMUser, 0, len(items))
	for _, it := range items {
		var u SCIMUser
		if json.Unmarshal(it.Data, &u) == nil && u.ID != "" {
			out = append(out, u)
		}
	}
	return out
}
