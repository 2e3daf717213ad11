package auth

import (
	"bytes"
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"
)

type src struct {
	val   string
	calls int
}

func (s *src) Get(context.Context, string) (string, error) { s.calls++; return s.val, nil }
func (s *src) Refresh(context.Context, string, time.Duration) (string, error) {
	s.calls++
	return s.val, nil
}

func TestCheck(t *testing.T) {
	s := &src{val: `{"tokens":["old-token-0123456789","new-token-9876543210",""]}`}
	a := &Authenticator{SecretID: "x", Source: s}
	for h, want := range map[string]Verdict{
		"Bearer old-token-0123456789":  Allowed,
		"bearer new-token-9876543210":  Allowed,
		"Bearer  new-token-9876543210": Allowed,
		"Bearer new-token-987654321":   Unauthorized,
		"Bearer ":                      Unauthorized,
		"Bearer":                       Unauthorized,
		"":                             Unauthorized,
		"Basic old-token-0123456789":   Unauthorized,
		"old-token-0123456789":         Unauthorized,
	} {
		if _, got, _ := a.Check(context.Background(), h); got != want {
			t.Errorf("%q: %v, want %v", h, got, want)
		}
	}
	for _, bad := range []*Authenticator{
		{Source: s}, // no secret id: fail closed
		{SecretID: "x", Source: &src{val: `{"tokens":[]}`}},
		{SecretID: "x", Source: &src{val: `nope`}},
		{SecretID: "x", Source: &src{val: `{"tokens":["short-token"]}`}}, // only a token under 16 characters
	} {
		if _, v, _ := bad.Check(context.Background(), "Bearer old-token-0123456789"); v != Unavailable {
			t.Errorf("%+v must fail closed", bad.Source)
		}
	}
}

// Named tokens carry only their scopes; a plain string has every scope
// and is named by its digest; tokens under 16 characters, entries without
// a token or with an unknown scope are ignored and noted without their
// value. (Before: every token could do everything, and there were no names.)
func TestScopesAndNames(t *testing.T) {
	var logs bytes.Buffer
	s := &src{val: `{"tokens":[
		"plain-token-0123456789",
		{"name":"okta-prod","token":"okta-token-0123456789","scopes":["okta"]},
		{"name":"auditor","token":"audit-token-0123456789","scopes":["read"]},
		"tiny-token",
		{"name":"bad","token":"bad-scope-token-01234","scopes":["admin"]},
		{"name":"no token","scopes":["read"]}]}`}
	a := &Authenticator{SecretID: "x", Source: s, Log: slog.New(slog.NewJSONHandler(&logs, nil))}
	p, v, _ := a.Check(context.Background(), "Bearer okta-token-0123456789")
	if v != Allowed || p.Name != "okta-prod" || !slices.Equal(p.Scopes, []Scope{ScopeOkta}) || p.Has(ScopeRestore) {
		t.Fatalf("%+v %v", p, v)
	}
	p, v, _ = a.Check(context.Background(), "Bearer plain-token-0123456789")
	if v != Allowed || p.Name != PlainName("plain-token-0123456789") || !strings.HasPrefix(p.Name, "sha256:") || len(p.Name) != 19 || !p.Has(ScopeRestore) {
		t.Fatalf("%+v %v", p, v)
	}
	for _, tok := range []string{"tiny-token", "bad-scope-token-01234"} {
		if _, v, _ := a.Check(context.Background(), "Bearer "+tok); v != Unauthorized {
			t.Errorf("%s: %v", tok, v)
		}
	}
	if strings.Count(logs.String(), "ignored") != 3 || strings.Contains(logs.String(), "tiny-token") || strings.Contains(logs.String(), "bad-scope-token") {
		t.Fatalf("notes: %s", logs.String())
	}
}

// TestConstantTimeImplementation checks how tokens are compared (timing
// itself is too noisy to test here): SHA-256 digests through
// subtle.ConstantTimeCompare, every configured token compared, and no
// string equality on a token anywhere in the package.
func TestConstantTimeImplementation(t *testing.T) {
	var usesSubtle, usesSHA, earlyReturn, sawMatch bool
	for _, file := range []string{"auth.go", "tokens.go"} {
		f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.SelectorExpr:
				if id, ok := x.X.(*ast.Ident); ok {
					usesSubtle = usesSubtle || (id.Name == "subtle" && x.Sel.Name == "ConstantTimeCompare")
					usesSHA = usesSHA || (id.Name == "sha256" && x.Sel.Name == "Sum256")
				}
			case *ast.FuncDecl:
				if x.Name.Name == "Match" {
					sawMatch = true
					ast.Inspect(x.Body, func(n ast.Node) bool {
						if r, ok := n.(*ast.RangeStmt); ok {
							ast.Inspect(r.Body, func(n ast.Node) bool {
								if _, ok := n.(*ast.ReturnStmt); ok {
									earlyReturn = true
								}
								return true
							})
						}
						return true
					})
				}
			case *ast.BinaryExpr:
				_, litX := x.X.(*ast.BasicLit)
				_, litY := x.Y.(*ast.BasicLit)
				if x.Op == token.EQL && !litX && !litY {
					for _, side := range []ast.Expr{x.X, x.Y} {
						if id, ok := side.(*ast.Ident); ok && strings.Contains(strings.ToLower(id.Name), "token") {
							t.Errorf("token compared with ==")
						}
					}
				}
			}
			return true
		})
	}
	if !usesSubtle || !usesSHA || earlyReturn || !sawMatch {
		t.Fatalf("subtle %v sha256 %v early return in the comparison loop %v", usesSubtle, usesSHA, earlyReturn)
	}
}

// TestTokensParsedOncePerValue: the secret is parsed and hashed when it
// changes, not on every request.
func TestTokensParsedOncePerValue(t *testing.T) {
	s := &src{val: `{"tokens":["tok-0123456789abcdef"]}`}
	a := &Authenticator{SecretID: "x", Source: s}
	if _, v, _ := a.Check(context.Background(), "Bearer tok-0123456789abcdef"); v != Allowed {
		t.Fatal(v)
	}
	first := a.tokens
	for range 10 {
		a.Check(context.Background(), "Bearer tok-0123456789abcdef")
	}
	if a.tokens != first {
		t.Fatal("the same secret value was parsed again")
	}
	s.val = `{"tokens":["tok-rotated-9876543210"]}`
	if _, v, _ := a.Check(context.Background(), "Bearer tok-rotated-9876543210"); v != Allowed {
		t.Fatal("a changed secret value was not re-parsed")
	}
}

// FuzzParseTokens: any secret either fails (closed) or yields tokens that
// are all at least 16 characters and named without their value.
func FuzzParseTokens(f *testing.F) {
	f.Add(`{"tokens":["plain-token-0123456789",{"name":"n","token":"tok-0123456789abcdef","scopes":["read","okta"]}]}`)
	f.Add(`{"tokens":[1,null,{"token":"x"}]}`)
	f.Fuzz(func(t *testing.T, raw string) {
		tokens, notes, err := ParseTokens(raw)
		if err != nil {
			return
		}
		for _, p := range tokens.principals {
			if p.Name == "" || strings.ContainsAny(p.Name, "\"{}\n") {
				t.Fatalf("bad name %q", p.Name)
			}
		}
		for _, n := range notes {
			if strings.Contains(raw, n) && len(n) > 40 {
				t.Fatalf("a note quotes the secret: %q", n)
			}
		}
	})
}

// FuzzBearer: the Authorization parser never yields an empty token.
func FuzzBearer(f *testing.F) {
	f.Add("Bearer abc")
	f.Add("bearer  \t x")
	f.Fuzz(func(t *testing.T, h string) {
		if tok, ok := bearer(h); ok && (tok == "" || strings.HasPrefix(tok, " ")) {
			t.Fatalf("%q → %q", h, tok)
		}
	})
}

func BenchmarkCheck(b *testing.B) {
	a := &Authenticator{SecretID: "x", Source: &src{val: `{"tokens":["tok-0123456789abcdef","tok-second-0123456789","tok-third-0123456789"]}`}}
	b.ReportAllocs()
	for b.Loop() {
		if _, v, _ := a.Check(context.Background(), "Bearer tok-third-0123456789"); v != Allowed {
			b.Fatal(v)
		}
	}
}

func BenchmarkParseTokens(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := ParseTokens(`{"tokens":["tok-0123456789abcdef","tok-second-0123456789","tok-third-0123456789"]}`); err != nil {
			b.Fatal(err)
		}
	}
}
