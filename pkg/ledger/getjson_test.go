package ledger

import (
	"context"
	"errors"
	"testing"
)

// getStore answers Get with one item or error; no other method is used.
type getStore struct {
	Store
	it  *Item
	err error
}

func (s getStore) Get(context.Context, Key) (*Item, error) { return s.it, s.err }

func TestGetJSON(t *testing.T) {
	errRead := errors.New("read failed")
	tests := []struct {
		name      string
		store     getStore
		wantFound bool
		wantVer   int64
		wantName  string
		wantErr   bool
	}{
		{name: "absent", store: getStore{}},
		{name: "decodes with its version", store: getStore{it: &Item{Ver: 7, Data: []byte(`{"name":"a"}`)}}, wantFound: true, wantVer: 7, wantName: "a"},
		{name: "read error: not found", store: getStore{err: errRead}, wantErr: true},
		{name: "undecodable: found, with the error", store: getStore{it: &Item{Ver: 3, Data: []byte(`{`)}}, wantFound: true, wantVer: 3, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := &Ledger{Store: tt.store}
			var v struct {
				Name string `json:"name"`
			}
			found, ver, err := l.getJSON(context.Background(), Key{PK: "P", SK: "S"}, &v)
			if found != tt.wantFound || ver != tt.wantVer || (err != nil) != tt.wantErr || v.Name != tt.wantName {
				t.Fatalf("getJSON = %v, %d, %v, %q; want %v, %d, error %v, %q", found, ver, err, v.Name, tt.wantFound, tt.wantVer, tt.wantErr, tt.wantName)
			}
			if tt.store.err != nil && !errors.Is(err, tt.store.err) {
				t.Errorf("error %v, want the store's %v as it is", err, tt.store.err)
			}
		})
	}
}
