package simulator

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
)

// The SCIM simulator pages a filtered list as RFC 7644 §3.4.2.4 says.
func TestSCIMPaging(t *testing.T) {
	s := NewSCIM("scim-token-0123456789", Options{})
	defer s.Close()
	s.PageSize = 2
	for _, id := range []string{"a", "b", "c", "d", "e"} {
		s.Add(User{ID: id, Email: "Shared@corp.com"})
	}
	s.Add(User{ID: "x", Email: "other@corp.com"})
	type page struct {
		Total        int `json:"totalResults"`
		StartIndex   int `json:"startIndex"`
		ItemsPerPage int `json:"itemsPerPage"`
		Resources    []struct {
			ID string `json:"id"`
		} `json:"Resources"`
	}
	get := func(query string) (int, page) {
		req, _ := http.NewRequest("GET", s.BaseURL()+"/Users?filter="+url.QueryEscape(`emails.value eq "shared@corp.com"`)+query, nil)
		req.Header.Set("Authorization", "Bearer scim-token-0123456789")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var p page
		_ = json.NewDecoder(resp.Body).Decode(&p)
		return resp.StatusCode, p
	}
	ids := func(p page) string {
		out := ""
		for _, r := range p.Resources {
			out += r.ID
		}
		return out
	}
	tests := []struct {
		name                     string
		query                    string
		status                   int
		ids                      string
		startIndex, itemsPerPage int
	}{
		{"no paging asked: the server's page size", "", 200, "ab", 1, 2},
		{"count above the page size is lowered", "&startIndex=1&count=100", 200, "ab", 1, 2},
		{"second page", "&startIndex=3&count=100", 200, "cd", 3, 2},
		{"last, short page", "&startIndex=5&count=100", 200, "e", 5, 1},
		{"past the end", "&startIndex=9&count=2", 200, "", 9, 0},
		{"startIndex below 1 is 1", "&startIndex=-4&count=1", 200, "a", 1, 1},
		{"count 0: totalResults only", "&startIndex=1&count=0", 200, "", 1, 0},
		{"not a number", "&startIndex=x", 400, "", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, p := get(tt.query)
			if status != tt.status {
				t.Fatalf("status %d", status)
			}
			if status != 200 {
				return
			}
			if p.Total != 5 || ids(p) != tt.ids || p.StartIndex != tt.startIndex || p.ItemsPerPage != tt.itemsPerPage {
				t.Fatalf("%+v", p)
			}
		})
	}
}

func TestParseFilter(t *testing.T) {
	tests := []struct {
		name, filter string
		want         int // terms; -1: refused
	}{
		{"one term", `userName eq "a@example.com"`, 1},
		{"ids joined by or", `id eq "a" or id eq "b" or id eq "c"`, 3},
		{"an escaped quote", `emails.value eq "a\"b@example.com"`, 1},
		{"and is not supported", `id eq "a" and id eq "b"`, -1},
		{"an unknown attribute", `title eq "x"`, -1},
		{"an unterminated value", `id eq "a`, -1},
		{"a dangling or", `id eq "a" or `, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			terms, ok := parseFilter(tt.filter)
			if got := len(terms); !ok && tt.want != -1 || ok && got != tt.want {
				t.Fatalf("%d terms, ok=%v; want %d", got, ok, tt.want)
			}
		})
	}
}

func FuzzParseFilter(f *testing.F) {
	f.Add(`id eq "a" or id eq "b"`)
	f.Add(`userName eq "x\\\"y"`)
	f.Fuzz(func(t *testing.T, s string) {
		if terms, ok := parseFilter(s); ok && (len(terms) == 0 || len(terms) > 100) {
			t.Fatalf("%d terms from %q", len(terms), s)
		}
	})
}
