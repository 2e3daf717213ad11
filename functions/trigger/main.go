// Command trigger is the EventBridge trigger: identity events (Okta and
// Auth0 log streams, IAM Identity Center and Cognito through CloudTrail)
// become revoke requests, with no public webhook.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/revoke-dev/revoke/pkg/directory/awsdir"
	"github.com/revoke-dev/revoke/pkg/lambdainit"
	"github.com/revoke-dev/revoke/pkg/trigger"
)

func main() {
	env := lambdainit.Must()
	env.Directory = awsdir.New(env.AWS)
	lambda.Start(trigger.New(&env.Parts).Handle)
}
