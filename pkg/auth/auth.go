package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// Verdict is the outcome of a check.
type Verdict int

// Verdicts.
const (
	Allowed      Verdict = iota
	Unauthorized         // 401: missing or unknown token
	Unavailable          // 503: no token source configured, or it cannot be read
)

// TokenSource returns the token secret's JSON; Refresh re-reads it unless it
// was read less than minAge ago. *secrets.Cache is one.
type TokenSource interface {
	Get(ctx context.Context, id string) (string, error)
	Refresh(ctx context.Context, id string, minAge time.Duration) (string, error)
}

// Authenticator checks bearer tokens against one token secret (the API's
// or the SCIM front door's). Safe for concurrent use.
type Authenticator struct {
	SecretID string      // empty fails closed
	Source   TokenSource // nil fails closed
	// RefreshAfter is how old the cached tokens must be before an unknown
	// token triggers one re-read (a token may just have been rotated in).
	RefreshAfter time.Duration
	Log          *slog.Logger // notes about unusable entries (never a token); nil: none

	mu     sync.Mutex
	raw    string // the secret value tokens were parsed from
	tokens *Tokens
}

// Check authenticates an Authorization header value.
func (a *Authenticator) Check(ctx context.Context, authorization string) (Principal, Verdict, error) {
	if a.SecretID == "" || a.Source == nil {
		return Principal{}, Unavailable, errors.New("auth: the token secret id is not set")
	}
	raw, err := a.Source.Get(ctx, a.SecretID)
	if err != nil {
		return Principal{}, Unavailable, fmt.Errorf("auth: read tokens: %w", err)
	}
	tokens, err := a.parsed(raw)
	if err != nil {
		return Principal{}, Unavailable, err
	}
	token, ok := bearer(authorization)
	if !ok {
		return Principal{}, Unauthorized, nil
	}
	if p, ok := tokens.Match(token); ok {
		return p, Allowed, nil
	}
	if raw, err = a.Source.Refresh(ctx, a.SecretID, a.RefreshAfter); err == nil {
		if tokens, err = a.parsed(raw); err == nil {
			if p, ok := tokens.Match(token); ok {
				return p, Allowed, nil
			}
		}
	}
	return Principal{}, Unauthorized, nil
}

// parsed returns the tokens of a secret value, parsing and hashing it only
// when it changed (not on every request).
func (a *Authenticator) parsed(raw string) (*Tokens, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.tokens != nil && raw == a.raw {
		return a.tokens, nil
	}
	t, notes, err := ParseTokens(raw)
	if a.Log != nil {
		for _, n := range notes {
			a.Log.Warn("token secret entry skipped", "secret_id", a.SecretID, "note", n)
		}
	}
	if err != nil {
		return nil, err
	}
	a.raw, a.tokens = raw, t
	return t, nil
}

// bearer extracts the token of "Bearer <token>" (scheme case-insensitive).
func bearer(h string) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(h), " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" || len(token) > 4096 {
		return "", false
	}
	return token, true
}
