// Command trigger is the EventBridge trigger: identity events (Okta and
// Auth0 log streams, IAM Identity Center and Cognito through CloudTrail)
// become revoke requests, with no public webhook.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"

	"github.com/revoke-dev/revoke/pkg/directory"
	"github.com/revoke-dev/revoke/pkg/lambdainit"
	"github.com/revoke-dev/revoke/pkg/trigger"
)

func main() {
	env := lambdainit.Must()
	h := &trigger.Handler{
		Config: env.Config, Submit: env.Submitter(), Ledger: env.Ledger, Log: env.Log,
		Directory: &directory.AWS{IdentityStore: identitystore.NewFromConfig(env.AWS), Cognito: cip.NewFromConfig(env.AWS)},
	}
	lambda.Start(h.Handle)
}
