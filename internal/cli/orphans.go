package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/revoke-dev/revoke/internal/demo"
	"github.com/revoke-dev/revoke/internal/embedded"
	"github.com/revoke-dev/revoke/internal/inmem"
	"github.com/revoke-dev/revoke/pkg/ledger"
	"github.com/revoke-dev/revoke/pkg/message"
)

// maxOrphanPages bounds a listing the command follows (1000 a page).
const maxOrphanPages = 1000

func runOrphans(ctx context.Context, io IO, args []string) int {
	if len(args) > 0 {
		switch args[0] {
		case "revoke":
			return runOrphansRevoke(ctx, io, args[1:])
		case "except":
			return runOrphansExcept(ctx, io, args[1:])
		}
	}
	fs := flags(io, "orphans", "--connection NAME [--format table|json|csv] [--demo] [flags]",
		"Lists a connection's accounts whose person is in no directory (orphans) and the excepted ones, from its\n  latest complete listing (GET /orphans). --demo runs the demo's pipeline and lists its seeded orphans.\n  Also: 'revokectl orphans revoke' and 'revokectl orphans except'.")
	api := addAPIFlags(fs)
	conn := fs.String("connection", "", "the connection")
	format := fs.String("format", "table", "table, json or csv")
	onDemo := fs.Bool("demo", false, "list the orphans the demo seeds (no AWS, no deployed API)")
	if code, stop := parse(fs, args); stop {
		return code
	}
	if *onDemo && *conn == "" {
		*conn = demo.OrphanConnection
	}
	if message.CheckConnectionName(*conn) != nil || (*format != "table" && *format != "json" && *format != "csv") || fs.NArg() != 0 {
		fs.Usage()
		return ExitUsage
	}
	if *onDemo {
		return demoOrphans(ctx, io, *conn, *format)
	}
	c, err := api.client()
	if err != nil {
		return usageErr(io, "%v", err)
	}
	if *format == "csv" {
		return csvPages(ctx, io, c, "/orphans", url.Values{"connection": {*conn}, "format": {"csv"}, "limit": {"1000"}})
	}
	get := func(q url.Values) (int, []byte, error) {
		status, body, _, err := c.do(ctx, http.MethodGet, "/orphans", q, nil)
		return status, body, err
	}
	return printOrphanPages(io, *conn, *format, get)
}

// printOrphanPages follows every page of GET /orphans and prints them as
// one answer.
func printOrphanPages(io IO, conn, format string, get func(url.Values) (int, []byte, error)) int {
	var head map[string]json.RawMessage
	var all []json.RawMessage
	cursor := ""
	for page := 0; page < maxOrphanPages; page++ {
		q := url.Values{"connection": {conn}, "limit": {"1000"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		status, body, err := get(q)
		if err != nil {
			return fail(io, "%v", err)
		}
		if status != http.StatusOK {
			return fail(io, "the API answered %d: %s", status, strings.TrimSpace(string(body)))
		}
		var p struct {
			Orphans []json.RawMessage `json:"orphans"`
			Next    *string           `json:"next"`
		}
		if err := json.Unmarshal(body, &p); err != nil || json.Unmarshal(body, &head) != nil {
			return fail(io, "the API's answer is not JSON")
		}
		all = append(all, p.Orphans...)
		if p.Next == nil || *p.Next == "" {
			break
		}
		cursor = *p.Next
	}
	if all == nil {
		all = []json.RawMessage{}
	}
	head["orphans"], _ = json.Marshal(all)
	head["next"] = json.RawMessage("null")
	merged, _ := json.Marshal(head)
	if format == "json" {
		fmt.Fprintln(io.Out, string(merged))
		return ExitOK
	}
	if err := demo.PrintOrphans(io.Out, merged); err != nil {
		return fail(io, "%v", err)
	}
	return ExitOK
}

// demoOrphans starts the demo's pipeline, seeds its orphans, lists and
// compares the connection, and prints what GET /orphans answers.
func demoOrphans(ctx context.Context, io IO, conn, format string) int {
	dir := &inmem.Directory{}
	p, err := embedded.Start(embedded.Options{Directory: dir, Instances: 1})
	if err != nil {
		return fail(io, "%v", err)
	}
	defer p.Close()
	if err := demo.SeedOrphans(ctx, p, dir); err != nil {
		return fail(io, "%v", err)
	}
	if err := demo.ListOrphans(ctx, p, conn); err != nil {
		return fail(io, "%v", err)
	}
	get := func(q url.Values) (int, []byte, error) {
		if format == "csv" {
			q.Set("format", "csv")
		}
		r := p.Call(ctx, http.MethodGet, "/orphans?"+q.Encode(), "")
		return r.Status, []byte(r.Body), nil
	}
	if format == "csv" {
		status, body, _ := get(url.Values{"connection": {conn}, "limit": {"1000"}})
		if status != http.StatusOK {
			return fail(io, "the API answered %d: %s", status, body)
		}
		fmt.Fprint(io.Out, string(body))
		return ExitOK
	}
	return printOrphanPages(io, conn, format, get)
}

func runOrphansRevoke(ctx context.Context, io IO, args []string) int {
	fs := flags(io, "orphans revoke", "--connection NAME --reason TEXT [--dry-run] [flags]",
		"Revokes exactly the accounts a connection's report lists as orphan now, as one request (source orphans,\n  you as actor; POST /orphans/revoke). --dry-run shows what it would do and changes nothing.")
	api := addAPIFlags(fs)
	conn := fs.String("connection", "", "the connection")
	reason := fs.String("reason", "", "why (recorded with the request)")
	dry := fs.Bool("dry-run", false, "change nothing: every orphan is would_revoke")
	if code, stop := parse(fs, args); stop {
		return code
	}
	if message.CheckConnectionName(*conn) != nil || *reason == "" || fs.NArg() != 0 {
		fs.Usage()
		return ExitUsage
	}
	c, err := api.client()
	if err != nil {
		return usageErr(io, "%v", err)
	}
	body, _ := json.Marshal(map[string]any{"connection": *conn, "reason": *reason, "dry_run": *dry})
	status, resp, _, err := c.do(ctx, http.MethodPost, "/orphans/revoke", nil, body)
	if err != nil {
		return fail(io, "%v", err)
	}
	if status != http.StatusAccepted && status != http.StatusOK { // 200: no orphans, no request
		return fail(io, "the API answered %d: %s", status, strings.TrimSpace(string(resp)))
	}
	var r struct {
		RequestID string `json:"request_id"`
		Accepted  int    `json:"accepted"`
	}
	_ = json.Unmarshal(resp, &r)
	if r.Accepted == 0 {
		fmt.Fprintln(io.Out, "no orphans: nothing to revoke")
		return ExitOK
	}
	fmt.Fprintf(io.Out, "request %s: %d orphan(s) accepted (dry run: %t); follow it with revokectl status --wait %s\n", r.RequestID, r.Accepted, *dry, r.RequestID)
	return ExitOK
}

// exceptionWriter is the part of the ledger the except command writes.
type exceptionWriter interface {
	PutException(ctx context.Context, e ledger.Exception) error
	DeleteException(ctx context.Context, connection, userID string) error
}

func runOrphansExcept(ctx context.Context, io IO, args []string) int {
	fs := flags(io, "orphans except", "--connection NAME --user-id ID --by WHO [--note TEXT] [--remove] [--table NAME]",
		"Marks an account as expected (a service account, break-glass): it is listed as excepted with who excepted\n  it, never as an orphan. Written to the ledger table with your AWS credentials; --remove undoes it.")
	table := fs.String("table", os.Getenv("LEDGER_TABLE"), "the ledger table (default $LEDGER_TABLE)")
	conn := fs.String("connection", "", "the connection")
	user := fs.String("user-id", "", "the provider's user id of the account")
	by := fs.String("by", "", "who excepts it (recorded, shown as excepted_by)")
	note := fs.String("note", "", "why")
	remove := fs.Bool("remove", false, "remove the exception")
	if code, stop := parse(fs, args); stop {
		return code
	}
	e := ledger.Exception{Connection: *conn, UserID: *user, By: *by, Note: *note}
	if *remove {
		e.By = "-"
	}
	if err := e.Check(); err != nil || fs.NArg() != 0 {
		if err != nil {
			fmt.Fprintf(io.Err, "revokectl: %v\n", err)
		}
		fs.Usage()
		return ExitUsage
	}
	if *table == "" {
		return usageErr(io, "--table (or $LEDGER_TABLE) is required")
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return fail(io, "aws: %v", err)
	}
	return except(ctx, io, ledger.New(&ledger.Dynamo{API: dynamodb.NewFromConfig(cfg), Table: *table}, 0), e, *remove)
}

func except(ctx context.Context, io IO, l exceptionWriter, e ledger.Exception, remove bool) int {
	if remove {
		if err := l.DeleteException(ctx, e.Connection, e.UserID); err != nil {
			return fail(io, "%v", err)
		}
		fmt.Fprintf(io.Out, "%s %s: exception removed (the next comparison lists it again if it is an orphan)\n", e.Connection, e.UserID)
		return ExitOK
	}
	if err := l.PutException(ctx, e); err != nil {
		return fail(io, "%v", err)
	}
	fmt.Fprintf(io.Out, "%s %s: excepted by %s (listed as excepted from the next comparison)\n", e.Connection, e.UserID, e.By)
	return ExitOK
}
