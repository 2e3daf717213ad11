// Command revokectl is revoke's operator and local-run CLI: run the demo,
// invoke a built function through a local Lambda Runtime API, send a
// request to a deployed API, list and re-drive the DLQ, validate a
// connection secret. See `revokectl help`.
package main

import (
	"context"
	"os"
	"os/signal"

	"github.com/revoke-dev/revoke/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := cli.Run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
