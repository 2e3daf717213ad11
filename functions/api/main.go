// Command api is the API function: API Gateway HTTP API → auth, validate,
// record → SQS; status and evidence; the Okta hook; the SCIM front door.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/revoke-dev/revoke/pkg/api"
	"github.com/revoke-dev/revoke/pkg/lambdainit"
)

func main() {
	lambda.Start(api.New(&lambdainit.Must().Parts).Handle)
}
