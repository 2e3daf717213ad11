package cli

import (
	"context"
	"encoding/json"
	"flag"
	"strings"

	"github.com/revoke-dev/revoke/pkg/message"
)

// multi is a repeatable string flag.
type multi []string

func (m *multi) String() string     { return strings.Join(*m, ",") }
func (m *multi) Set(v string) error { *m = append(*m, v); return nil }

var _ flag.Value = (*multi)(nil)

func runRevoke(ctx context.Context, io IO, args []string) int {
	fs := flags(io, "revoke", "--email ADDRESS [--connection NAME|'*'] --reason TEXT [flags]",
		"Asks a deployed revoke API to revoke (or restore) one person, by email, on a connection or on every\n  connection ('*', the default). Prints the request id; follow it with `revokectl status --wait`.")
	api := addAPIFlags(fs)
	var emails, conns multi
	fs.Var(&emails, "email", "the person's address (repeatable)")
	fs.Var(&conns, "connection", "a connection name, or '*' for every connection (repeatable; default '*')")
	reason := fs.String("reason", "", "why (recorded in the ledger and the audit log; required)")
	restore := fs.Bool("restore", false, "give access back instead")
	dry := fs.Bool("dry-run", false, "look up and read state only; change nothing")
	key := fs.String("idempotency-key", "", "Idempotency-Key: a repeat within 24 h answers the first request")
	if code, stop := parse(fs, args); stop {
		return code
	}
	if len(emails) == 0 || strings.TrimSpace(*reason) == "" || fs.NArg() != 0 {
		fs.Usage()
		return ExitUsage
	}
	if len(conns) == 0 {
		conns = multi{"*"}
	}
	req := map[string]any{"action": message.Revoke, "reason": *reason}
	if *restore {
		req["action"] = message.Restore
	}
	if *dry {
		req["dry_run"] = true
	}
	var targets []map[string]string
	for _, e := range emails {
		if err := message.CheckEmail(e); err != nil {
			return usageErr(io, "--email %q: %v", e, err)
		}
		for _, c := range conns {
			targets = append(targets, map[string]string{"connection": c, "email": e})
		}
	}
	req["targets"] = targets
	body, _ := json.Marshal(req)
	c, err := api.client()
	if err != nil {
		return usageErr(io, "%v", err)
	}
	return post(ctx, io, c, "/revocations", body, *key)
}
