package cli

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/revoke-dev/revoke/pkg/message"
)

// statusBody is GET /revocations/{id}'s answer.
type statusBody struct {
	RequestID   string         `json:"request_id"`
	Action      string         `json:"action"`
	Source      string         `json:"source"`
	Actor       string         `json:"actor"`
	DryRun      bool           `json:"dry_run"`
	RequestedAt time.Time      `json:"requested_at"`
	Status      string         `json:"status"`
	Counts      map[string]int `json:"counts"`
	Targets     []targetBody   `json:"targets"`
	Next        *string        `json:"next"`
}

type targetBody struct {
	Connection   string   `json:"connection"`
	UserID       string   `json:"user_id"`
	Email        string   `json:"email"`
	ResolvedIDs  []string `json:"resolved_ids"`
	Outcome      string   `json:"outcome"`
	ErrorCode    *string  `json:"error_code"`
	ErrorMessage *string  `json:"error_message"`
	Attempts     int      `json:"attempts"`
	Verified     *bool    `json:"verified"`
}

func runStatus(ctx context.Context, io IO, args []string) int {
	fs := flags(io, "status", "[flags] REQUEST_ID",
		"Shows a request's status and every target's outcome. With --wait, a progress bar until every target\n  settles. Exit 1 if any target failed (or --wait timed out), 0 otherwise.")
	api := addAPIFlags(fs)
	wait := fs.Bool("wait", false, "follow the request until every target settles")
	every := fs.Duration("interval", 2*time.Second, "how often --wait asks")
	max := fs.Duration("max-wait", 30*time.Minute, "give up waiting after this long")
	if code, stop := parse(fs, args); stop {
		return code
	}
	if fs.NArg() != 1 || !message.IsID(fs.Arg(0)) {
		fs.Usage()
		return ExitUsage
	}
	c, err := api.client()
	if err != nil {
		return usageErr(io, "%v", err)
	}
	deadline := time.Now().Add(*max)
	for {
		st, err := fetchStatus(ctx, c, fs.Arg(0))
		if err != nil {
			return fail(io, "%v", err)
		}
		if !*wait || st.Status != "pending" {
			if *wait {
				fmt.Fprintln(io.Err)
			}
			return printStatus(io, st)
		}
		progress(io.Err, st)
		if time.Now().After(deadline) {
			return fail(io, "still pending after %s", *max)
		}
		select {
		case <-ctx.Done():
			return fail(io, "%v", ctx.Err())
		case <-time.After(*every):
		}
	}
}

// fetchStatus reads every page of a request's status.
func fetchStatus(ctx context.Context, c *apiClient, id string) (*statusBody, error) {
	var all *statusBody
	cursor := ""
	for {
		q := url.Values{"limit": {"1000"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		var page statusBody
		if err := c.getJSON(ctx, "/revocations/"+id, q, &page); err != nil {
			return nil, err
		}
		if all == nil {
			all = &page
		} else {
			all.Targets = append(all.Targets, page.Targets...)
			// Every page carries the whole request's counts and status.
			all.Status, all.Counts = page.Status, page.Counts
		}
		if page.Next == nil {
			return all, nil
		}
		cursor = *page.Next
	}
}

// progress draws one progress line (carriage return: it redraws itself).
func progress(w io.Writer, st *statusBody) {
	total := len(st.Targets)
	settled := total - st.Counts["pending"] - st.Counts["retrying"]
	const width = 30
	filled := 0
	if total > 0 {
		filled = settled * width / total
	}
	fmt.Fprintf(w, "\r[%s%s] %d/%d settled: %s ",
		strings.Repeat("#", filled), strings.Repeat(".", width-filled), settled, total, message.CountsText(st.Counts))
}

func printStatus(io IO, st *statusBody) int {
	fmt.Fprintf(io.Out, "request %s: %s (%s by %s, source %s, %s)\n", st.RequestID, st.Status, st.Action, st.Actor, st.Source, st.RequestedAt.Format(time.RFC3339))
	fmt.Fprintf(io.Out, "targets: %s\n", message.CountsText(st.Counts))
	tw := tabwriter.NewWriter(io.Out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CONNECTION\tTARGET\tOUTCOME\tVERIFIED\tATTEMPTS\tERROR")
	for _, t := range st.Targets {
		target := t.UserID + t.Email
		if len(t.ResolvedIDs) > 0 { // the accounts an email resolved to
			target += " (" + strings.Join(t.ResolvedIDs, " ") + ")"
		}
		v := "-"
		if t.Verified != nil {
			v = fmt.Sprint(*t.Verified)
		}
		e := ""
		if t.ErrorCode != nil {
			e = *t.ErrorCode
			if t.ErrorMessage != nil {
				e += ": " + *t.ErrorMessage
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\n", t.Connection, target, t.Outcome, v, t.Attempts, e)
	}
	tw.Flush()
	if st.Counts["failed"] > 0 {
		return fail(io, "%d target(s) failed", st.Counts["failed"])
	}
	return ExitOK
}
