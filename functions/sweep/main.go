// Command sweep is the scheduled sweep: re-drive transient DLQ failures,
// revoke inactive accounts, snapshot followed directories, and queue what
// requests left unqueued.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/revoke-dev/revoke/pkg/directory/awsdir"
	"github.com/revoke-dev/revoke/pkg/lambdainit"
	"github.com/revoke-dev/revoke/pkg/sweep"
)

func main() {
	env := lambdainit.Must()
	env.Directory = awsdir.New(env.AWS)
	lambda.Start(sweep.New(&env.Parts).Handle)
}
