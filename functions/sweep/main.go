// Command sweep is the scheduled sweep: re-drive transient DLQ failures,
// revoke inactive accounts, snapshot followed directories, and queue what
// requests left unqueued.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"

	"github.com/revoke-dev/revoke/pkg/directory"
	"github.com/revoke-dev/revoke/pkg/lambdainit"
	"github.com/revoke-dev/revoke/pkg/sweep"
)

func main() {
	env := lambdainit.Must()
	s := &sweep.Sweeper{
		Config: env.Config, Queue: env.Queue, Secrets: env.Secrets, Ledger: env.Ledger, Submit: env.Submitter(), Log: env.Log,
		Directory: &directory.AWS{IdentityStore: identitystore.NewFromConfig(env.AWS), Cognito: cip.NewFromConfig(env.AWS)},
	}
	lambda.Start(s.Handle)
}
