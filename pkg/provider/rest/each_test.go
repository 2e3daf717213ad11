package rest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/provider"
)

// A panic in one worker answers that item with a retryable error; the
// other items are answered and nothing crashes. (Before: the panic killed
// the runtime and partial-batch reporting was lost.)
func TestEachRecoversPanics(t *testing.T) {
	users := []provider.User{{ID: "a"}, {ID: "boom"}, {ID: "c"}}
	res := ApplyEach(context.Background(), users, 2, func(_ context.Context, u provider.User) provider.Result {
		if u.ID == "boom" {
			panic("a bug in a provider client")
		}
		return provider.Result{Outcome: provider.Done}
	})
	if res[0].Outcome != provider.Done || res[2].Outcome != provider.Done {
		t.Fatalf("%+v", res)
	}
	e := provider.As(res[1].Err)
	var pe *provider.PanicError
	if res[1].Outcome != provider.Failed || !e.Retryable() || !errorsAs(res[1].Err, &pe) || !strings.Contains(pe.Stack, "goroutine") {
		t.Fatalf("%+v", res[1])
	}
	if strings.Contains(e.Error(), "a bug in a provider client") {
		t.Fatal("the panic value reached the error text")
	}
	l := LookupEach(context.Background(), []string{"x"}, 1, func(context.Context, string) provider.Lookup { panic("x") })
	if l[0].Err == nil || len(l[0].Matches) != 0 {
		t.Fatalf("a panicking look-up must not read as no such user: %+v", l[0])
	}
}

func errorsAs(err error, target **provider.PanicError) bool {
	pe := provider.As(err)
	p, ok := pe.Err.(*provider.PanicError)
	*target = p
	return ok
}

// However large a provider's error body, at most 64 KiB of it is read.
func TestErrorBodyIsBounded(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		chunk := []byte(strings.Repeat("e", 32<<10))
		for range 256 { // 8 MiB
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	c := (Options{AllowInsecureHTTP: true}).NewClient(Profile{Provider: "t", DefaultRate: 1000}, Settings{}, nil)
	resp, err := c.Do(context.Background(), Request{Op: "x", Method: http.MethodGet, URL: srv.URL})
	if err == nil || provider.As(err).Code != message.CodeInvalid || len(resp.Body) > MaxErrorBodyBytes {
		t.Fatalf("%v, %d bytes kept", err, len(resp.Body))
	}
}
