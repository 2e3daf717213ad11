package inmem

import (
	"context"
	"fmt"
	"strconv"
	"sync"

	"github.com/revoke-dev/revoke/pkg/directory"
)

// Directory is an in-memory directory.Reader (an identity store or user
// pool) for the demo and the benchmarks. Safe for concurrent use.
type Directory struct {
	mu    sync.Mutex
	users map[string][]directory.User // by directory source id
}

var _ directory.Reader = (*Directory)(nil)

// Put adds or replaces a user of a directory ("identitystore:<id>").
func (d *Directory) Put(dir string, u directory.User) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.users == nil {
		d.users = map[string][]directory.User{}
	}
	d.remove(dir, u.ID)
	d.users[dir] = append(d.users[dir], u)
}

// Delete removes a user (a hard delete: Lookup no longer finds it).
func (d *Directory) Delete(dir, id string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.remove(dir, id)
}

func (d *Directory) remove(dir, id string) {
	list := d.users[dir]
	for i, u := range list {
		if u.ID == id {
			d.users[dir] = append(list[:i:i], list[i+1:]...)
			return
		}
	}
}

// Lookup implements directory.Reader.
func (d *Directory) Lookup(_ context.Context, dir directory.Source, id string) (*directory.User, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, u := range d.users[dir.String()] {
		if u.ID == id {
			return &u, nil
		}
	}
	return nil, directory.ErrNotFound
}

// directoryPage is the in-memory directory's page size.
const directoryPage = 100

// ListPage implements directory.Pager: the token is an offset.
func (d *Directory) ListPage(_ context.Context, dir directory.Source, token string) ([]directory.User, string, error) {
	off := 0
	if token != "" {
		n, err := strconv.Atoi(token)
		if err != nil || n < 0 {
			return nil, "", fmt.Errorf("inmem: bad page token %q", token)
		}
		off = n
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	all := d.users[dir.String()]
	if off >= len(all) {
		return nil, "", nil
	}
	end := min(off+directoryPage, len(all))
	page := append([]directory.User(nil), all[off:end]...)
	if end == len(all) {
		return page, "", nil
	}
	return page, strconv.Itoa(end), nil
}
