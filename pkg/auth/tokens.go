package auth

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Scope is what a token may do (docs/design.md §1, §1a).
type Scope string

// Scopes.
const (
	ScopeRevoke  Scope = "revoke"  // POST /revocations with action revoke (dry runs included)
	ScopeRestore Scope = "restore" // POST /revocations with action restore
	ScopeRead    Scope = "read"    // GET /revocations…
	ScopeOkta    Scope = "okta"    // /hooks/okta
	// SCIM tokens (SCIM_TOKENS_SECRET_ID). A SCIM token without scopes
	// (a plain string, or an object that lists none) holds both.
	ScopeSCIMRead  Scope = "scim:read"  // GET /scim/v2/Users…
	ScopeSCIMWrite Scope = "scim:write" // POST, PUT, PATCH, DELETE /scim/v2/Users…
)

// AllScopes is what a plain-string token (and an IAM caller) holds.
var AllScopes = []Scope{ScopeRevoke, ScopeRestore, ScopeRead, ScopeOkta, ScopeSCIMRead, ScopeSCIMWrite}

// MinTokenLen is the shortest token accepted; shorter ones are ignored.
const MinTokenLen = 16

// MaxTokens bounds the configured tokens.
const MaxTokens = 100

// Principal is who a token is.
type Principal struct {
	Name   string // the token's name; a plain token's is "sha256:" and 12 hex digits of its digest
	Scopes []Scope
	// IdP is the identity provider a SCIM token provisions for: the SCIM
	// users it may see and change are its IdP's, so a named token can
	// rotate (a new name, the same "idp") without losing them. A named
	// token's "idp", by default its name; a plain token's name (each plain
	// token keeps its own users).
	IdP string
}

// Has reports whether the principal holds a scope.
func (p Principal) Has(s Scope) bool { return slices.Contains(p.Scopes, s) }

// Tokens is a parsed token secret: digests only, never the tokens.
type Tokens struct {
	digests    [][sha256.Size]byte
	principals []Principal
}

// Match finds the principal of a token, comparing its digest with every
// configured one in constant time.
func (t *Tokens) Match(token string) (Principal, bool) {
	d := sha256.Sum256([]byte(token))
	found := -1
	for i := range t.digests {
		if subtle.ConstantTimeCompare(t.digests[i][:], d[:]) == 1 {
			found = i
		}
	}
	if found < 0 {
		return Principal{}, false
	}
	return t.principals[found], true
}

// Len is the number of usable tokens.
func (t *Tokens) Len() int { return len(t.digests) }

// PlainName is a plain token's name: "sha256:" and the first 12 hex digits
// of its digest (never the token).
func PlainName(token string) string {
	d := sha256.Sum256([]byte(token))
	return "sha256:" + hex.EncodeToString(d[:6])
}

// ParseTokens reads {"tokens": ["<token>", {"name", "token", "scopes", "idp"}]}.
// A plain string has every scope; an object only its scopes ("idp" is
// for SCIM tokens: see Principal.IdP). Entries that
// cannot be used (shorter than 16 characters, no token, a bad name) are
// skipped and described in notes, which never quote a token. An error
// (the secret is unusable: fail closed) means no token at all, or two
// tokens with one name (they would share an actor and an idempotency
// namespace), or one token listed twice, under one name or two.
func ParseTokens(raw string) (*Tokens, []string, error) {
	var s struct {
		Tokens []json.RawMessage `json:"tokens"`
	}
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		return nil, nil, errors.New("auth: token secret is not {\"tokens\": [...]}")
	}
	if len(s.Tokens) > MaxTokens {
		return nil, nil, fmt.Errorf("auth: token secret has more than %d tokens", MaxTokens)
	}
	t := &Tokens{}
	var notes []string
	names := map[string]int{}
	digests := map[[sha256.Size]byte]int{}
	for i, entry := range s.Tokens {
		token, p, note := parseEntry(entry)
		if note != "" {
			notes = append(notes, fmt.Sprintf("tokens[%d]: %s; ignored", i, note))
			continue
		}
		if j, dup := names[p.Name]; dup {
			// A plain token's name is its digest's: the same token twice.
			return nil, notes, fmt.Errorf("auth: tokens[%d] and tokens[%d] have the same name %q: each token needs its own name", j, i, p.Name)
		}
		names[p.Name] = i
		d := sha256.Sum256([]byte(token))
		if j, dup := digests[d]; dup {
			// One token under two names: which one a caller is would be a guess.
			return nil, notes, fmt.Errorf("auth: tokens[%d] and tokens[%d] hold the same token under two names", j, i)
		}
		digests[d] = i
		t.digests = append(t.digests, d)
		t.principals = append(t.principals, p)
	}
	if len(t.digests) == 0 {
		return nil, notes, errors.New("auth: token secret holds no usable token")
	}
	return t, notes, nil
}

func parseEntry(entry json.RawMessage) (token string, p Principal, note string) {
	if json.Unmarshal(entry, &token) == nil {
		if len(token) < MinTokenLen {
			return "", p, "token shorter than 16 characters"
		}
		return token, Principal{Name: PlainName(token), Scopes: AllScopes, IdP: PlainName(token)}, ""
	}
	var o struct {
		Name   string   `json:"name"`
		Token  string   `json:"token"`
		Scopes []string `json:"scopes"`
		IdP    *string  `json:"idp"`
	}
	if json.Unmarshal(entry, &o) != nil {
		return "", p, "not a string or an object with name, token and scopes"
	}
	if len(o.Token) < MinTokenLen {
		return "", p, "token missing or shorter than 16 characters"
	}
	if !validName(o.Name) {
		return "", p, "name must be 1-64 of [A-Za-z0-9._-]"
	}
	p.Name, p.IdP = o.Name, o.Name
	if o.IdP != nil {
		if !validName(*o.IdP) {
			return "", p, "idp must be 1-64 of [A-Za-z0-9._-]"
		}
		p.IdP = *o.IdP
	}
	for _, sc := range o.Scopes {
		if !slices.Contains(AllScopes, Scope(sc)) {
			return "", p, fmt.Sprintf("unknown scope %q (want revoke, restore, read, okta, scim:read or scim:write)", sc)
		}
		p.Scopes = append(p.Scopes, Scope(sc))
	}
	return o.Token, p, ""
}

func validName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	return strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-')
	}) < 0
}
