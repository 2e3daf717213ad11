package directory

import "context"

// MaxTokenLen bounds a page token the sweep keeps to resume a snapshot.
const MaxTokenLen = 4096

// Pager reads a directory one page at a time, so a snapshot cut short by
// the Lambda deadline resumes from the page it stopped at instead of
// starting over. token "" asks for the first page; next "" means the last
// page was read.
type Pager interface {
	ListPage(ctx context.Context, d Source, token string) (users []User, next string, err error)
}
