// Command api is the API function: API Gateway HTTP API → auth, validate,
// record → SQS; status and evidence; the Okta hook; the SCIM front door.
package main

import (
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/revoke-dev/revoke/pkg/api"
	"github.com/revoke-dev/revoke/pkg/auth"
	"github.com/revoke-dev/revoke/pkg/lambdainit"
	"github.com/revoke-dev/revoke/pkg/scimapi"
)

func main() {
	env := lambdainit.Must()
	tokens := func(id string) *auth.Authenticator {
		return &auth.Authenticator{SecretID: id, Source: env.Secrets, RefreshAfter: time.Minute, Log: env.Log}
	}
	sub := env.Submitter()
	h := &api.Handler{
		Config: env.Config, Auth: tokens(env.Config.APITokensSecretID), Submit: sub, Ledger: env.Ledger, Log: env.Log,
		SCIM: &scimapi.Handler{Config: env.Config, Auth: tokens(env.Config.SCIMTokensSecretID), Ledger: env.Ledger, Submit: sub},
	}
	lambda.Start(h.Handle)
}
