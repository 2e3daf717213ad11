package cli

import (
	"context"
	"os"

	"github.com/revoke-dev/revoke/internal/demo"
)

func runDemo(ctx context.Context, io IO, args []string) int {
	fs := flags(io, "demo", "[flags]", "Runs the whole pipeline locally (no AWS account, no Docker) and prints a table per connection.\n  Exit 1 if any target is lost or misplaced.")
	team := fs.Int("team", 250, "JourneyApps users in the team batch")
	logs := fs.Bool("logs", false, "print the functions' JSON logs to stderr")
	if code, stop := parse(fs, args); stop {
		return code
	}
	if *team < 1 || *team > 5000 {
		return usageErr(io, "--team must be 1 to 5000")
	}
	o := demo.Options{TeamSize: *team}
	if *logs {
		o.Log = os.Stderr
	}
	if _, err := demo.Run(ctx, io.Out, o); err != nil {
		return fail(io, "%v", err)
	}
	return ExitOK
}
