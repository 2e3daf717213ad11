package auth

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// Verdict is the outcome of a check.
type Verdict int

// Verdicts.
const (
	Allowed      Verdict = iota
	Unauthorized         // 401: missing or wrong token
	Unavailable          // 503: no token source configured, or it cannot be read
)

// TokenSource returns the token secret's JSON; Refresh re-reads it unless it
// was read less than minAge ago. *secrets.Cache is one.
type TokenSource interface {
	Get(ctx context.Context, id string) (string, error)
	Refresh(ctx context.Context, id string, minAge time.Duration) (string, error)
}

// Authenticator decides whether a request may proceed.
type Authenticator struct {
	IAM      bool        // AUTH_MODE=iam: API Gateway's IAM authorizer already checked the caller
	SecretID string      // API_TOKENS_SECRET_ID; empty fails closed
	Source   TokenSource // nil fails closed
	// RefreshAfter is how old the cached tokens must be before a wrong
	// token triggers one re-read (a token may just have been rotated in).
	RefreshAfter time.Duration

	mu      sync.Mutex
	raw     string // the secret value digests were computed from
	digests [][sha256.Size]byte
}

// MaxTokens bounds the configured tokens.
const MaxTokens = 100

// Check authorizes an Authorization header value.
func (a *Authenticator) Check(ctx context.Context, authorization string) (Verdict, error) {
	if a.IAM {
		return Allowed, nil
	}
	if a.SecretID == "" || a.Source == nil {
		return Unavailable, errors.New("auth: API_TOKENS_SECRET_ID is not set")
	}
	raw, err := a.Source.Get(ctx, a.SecretID)
	if err != nil {
		return Unavailable, fmt.Errorf("auth: read tokens: %w", err)
	}
	digests, err := a.parsed(raw)
	if err != nil {
		return Unavailable, err
	}
	token, ok := bearer(authorization)
	if !ok {
		return Unauthorized, nil
	}
	if match(digests, token) {
		return Allowed, nil
	}
	if raw, err = a.Source.Refresh(ctx, a.SecretID, a.RefreshAfter); err == nil {
		if digests, err = a.parsed(raw); err == nil && match(digests, token) {
			return Allowed, nil
		}
	}
	return Unauthorized, nil
}

// parsed returns the digests of a secret value, parsing and hashing it
// only when it changed (not on every request).
func (a *Authenticator) parsed(raw string) ([][sha256.Size]byte, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.digests != nil && raw == a.raw {
		return a.digests, nil
	}
	d, err := parseTokens(raw)
	if err != nil {
		return nil, err
	}
	a.raw, a.digests = raw, d
	return d, nil
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

func match(digests [][sha256.Size]byte, token string) bool {
	d := sha256.Sum256([]byte(token))
	found := 0
	for i := range digests {
		found |= subtle.ConstantTimeCompare(digests[i][:], d[:])
	}
	return found == 1
}

func parseTokens(raw string) ([][sha256.Size]byte, error) {
	var s struct {
		Tokens []string `json:"tokens"`
	}
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		return nil, errors.New("auth: token secret is not {\"tokens\": [...]}")
	}
	if len(s.Tokens) > MaxTokens {
		return nil, fmt.Errorf("auth: token secret has more than %d tokens", MaxTokens)
	}
	out := make([][sha256.Size]byte, 0, len(s.Tokens))
	for _, t := range s.Tokens {
		if t != "" { // an empty token would match an empty credential
			out = append(out, sha256.Sum256([]byte(t)))
		}
	}
	if len(out) == 0 {
		return nil, errors.New("auth: token secret holds no token")
	}
	return out, nil
}
