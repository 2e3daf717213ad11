// Package cli implements revokectl's subcommands. Exit codes scripts can
// trust: 0 success, 1 the operation failed (or found a problem), 2 the
// command line or an input file is wrong.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
)

// Exit codes.
const (
	ExitOK    = 0
	ExitFail  = 1
	ExitUsage = 2
)

// IO bundles the streams a subcommand uses.
type IO struct {
	In       io.Reader
	Out, Err io.Writer
}

type command struct {
	name, args, summary string
	run                 func(ctx context.Context, io IO, args []string) int
}

func commands() []command {
	return []command{
		{"demo", "[--targets N]", "run the whole pipeline locally: API, embedded queue, consumer, provider simulators", runDemo},
		{"invoke", "[flags] <api|consumer|sweep|trigger> <event.json>", "run a built bootstrap through a local Lambda Runtime API with an event", runInvoke},
		{"revoke", "--email ADDRESS [--connection NAME|'*'] --reason TEXT", "revoke (or --restore) one person through a deployed API", runRevoke},
		{"status", "[--wait] REQUEST_ID", "a request's status and every target's outcome; --wait follows it with a progress bar", runStatus},
		{"evidence", "--email ADDRESS [--format csv|json] | --request ID [--format csv|chain] [--verify]", "one person's revocation history or one request's targets: the evidence for an auditor; --verify checks its hash chains", runEvidence},
		{"send", "[flags] <request.json>", "POST a revocation request file to a deployed API (token from $REVOKE_API_TOKEN)", runSend},
		{"dlq", "<list|redrive> [flags]", "list the dead-letter queue, or re-drive it to the revoke queue", runDLQ},
		{"orphans", "--connection NAME | revoke | except [flags]", "accounts in no directory: list them, revoke them (one request), or except one", runOrphans},
		{"unresolved", "[--table NAME]", "identity events revoke could not resolve to a person (from the ledger table)", runUnresolved},
		{"replay", "--queue-url URL --function NAME", "replay trigger events from the function's on-failure queue", runReplay},
		{"validate", "<provider> <secret.json|->", "check a connection secret against the provider's rules (never prints it)", runValidate},
		{"bench", "[flags]", "measure throughput, cold start, memory and freshness; write BENCHMARKS.md", runBench},
	}
}

// Run executes revokectl with args and returns the exit code.
func Run(ctx context.Context, args []string, in io.Reader, out, errw io.Writer) int {
	s := IO{In: in, Out: out, Err: errw}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(out)
		if len(args) == 0 {
			return ExitUsage
		}
		return ExitOK
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, s, args[1:])
		}
	}
	fmt.Fprintf(errw, "revokectl: unknown command %q\n\n", args[0])
	usage(errw)
	return ExitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "revokectl - operate and run revoke locally")
	fmt.Fprintln(w, "\nUsage:\n  revokectl <command> [arguments]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n            %s\n", c.name, c.args, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'revokectl <command> -h' for a command's flags.")
	fmt.Fprintln(w, "Exit codes: 0 success, 1 the operation failed, 2 bad command line or input.")
}

// flags returns a FlagSet that prints to io.Err and never exits.
func flags(io IO, name, args, summary string) *flag.FlagSet {
	fs := flag.NewFlagSet("revokectl "+name, flag.ContinueOnError)
	fs.SetOutput(io.Err)
	fs.Usage = func() {
		fmt.Fprintf(io.Err, "Usage: revokectl %s %s\n  %s\n", name, args, summary)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses flags; it returns an exit code when the caller must stop.
func parse(fs *flag.FlagSet, args []string) (int, bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ExitOK, true
		}
		return ExitUsage, true
	}
	return 0, false
}

func fail(io IO, format string, a ...any) int {
	fmt.Fprintf(io.Err, "revokectl: "+format+"\n", a...)
	return ExitFail
}

func usageErr(io IO, format string, a ...any) int {
	fmt.Fprintf(io.Err, "revokectl: "+format+"\n", a...)
	return ExitUsage
}
