package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"text/tabwriter"
	"time"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/revoke-dev/revoke/pkg/ledger"
)

// unresolvedLister is the part of the ledger the command reads.
type unresolvedLister interface {
	ListUnresolved(ctx context.Context, cursor string, limit int) ([]ledger.Unresolved, string, error)
}

func runUnresolved(ctx context.Context, io IO, args []string) int {
	fs := flags(io, "unresolved", "[flags]",
		"Lists identity events revoke could not resolve to a person (newest first), read from the ledger table\n  with your AWS credentials. Each one means someone may still have access: resolve it by hand.")
	table := fs.String("table", os.Getenv("LEDGER_TABLE"), "the ledger table (the stack's LedgerTableName output; default $LEDGER_TABLE)")
	max := fs.Int("max", 100, "at most this many events")
	asJSON := fs.Bool("json", false, "one JSON object per line")
	if code, stop := parse(fs, args); stop {
		return code
	}
	if *table == "" {
		return usageErr(io, "--table (or $LEDGER_TABLE) is required")
	}
	if *max < 1 || *max > 100000 {
		return usageErr(io, "--max must be 1 to 100000")
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return fail(io, "aws: %v", err)
	}
	l := ledger.New(&ledger.Dynamo{API: dynamodb.NewFromConfig(cfg), Table: *table}, 0)
	return listUnresolved(ctx, io, l, *max, *asJSON)
}

func listUnresolved(ctx context.Context, io IO, l unresolvedLister, max int, asJSON bool) int {
	var all []ledger.Unresolved
	cursor := ""
	for len(all) < max {
		page, next, err := l.ListUnresolved(ctx, cursor, min(1000, max-len(all)))
		if err != nil {
			return fail(io, "%v", err)
		}
		all = append(all, page...)
		if next == "" {
			break
		}
		cursor = next
	}
	if asJSON {
		for _, u := range all {
			b, _ := json.Marshal(u)
			fmt.Fprintln(io.Out, string(b))
		}
	} else {
		tw := tabwriter.NewWriter(io.Out, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "AT\tSOURCE\tDIRECTORY\tUSER_ID\tEVENT_ID\tREASON")
		for _, u := range all {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", u.At.UTC().Format(time.RFC3339), u.Source, u.Directory, u.UserID, u.EventID, u.Reason)
		}
		tw.Flush()
	}
	fmt.Fprintf(io.Err, "revokectl: %d unresolved event(s)\n", len(all))
	return ExitOK
}
