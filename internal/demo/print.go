package demo

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// PrintOrphans prints a GET /orphans answer as revokectl orphans does.
func PrintOrphans(out io.Writer, body []byte) error {
	var r struct {
		Connection string     `json:"connection"`
		Provider   string     `json:"provider"`
		Directory  []string   `json:"directory"`
		ListedAt   *time.Time `json:"listed_at"`
		Orphans    []struct {
			UserID     string     `json:"user_id"`
			Email      string     `json:"email"`
			LastSignIn *time.Time `json:"last_sign_in"`
			FirstSeen  time.Time  `json:"first_seen"`
			Status     string     `json:"status"`
			ExceptedBy *string    `json:"excepted_by"`
		} `json:"orphans"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return fmt.Errorf("demo: orphans answer: %w", err)
	}
	if r.ListedAt == nil {
		fmt.Fprintf(out, "  %s (%s): no complete listing compared yet\n", r.Connection, r.Provider)
		return nil
	}
	fmt.Fprintf(out, "  %s (%s) listed %s, compared with %s\n", r.Connection, r.Provider, r.ListedAt.UTC().Format(time.RFC3339), strings.Join(r.Directory, ", "))
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  USER_ID\tEMAIL\tLAST_SIGN_IN\tFIRST_SEEN\tSTATUS\tEXCEPTED_BY")
	for _, o := range r.Orphans {
		last, by := "-", "-"
		if o.LastSignIn != nil {
			last = o.LastSignIn.UTC().Format(time.RFC3339)
		}
		if o.ExceptedBy != nil {
			by = *o.ExceptedBy
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\n", o.UserID, o.Email, last, o.FirstSeen.UTC().Format(time.RFC3339), o.Status, by)
	}
	return tw.Flush()
}
