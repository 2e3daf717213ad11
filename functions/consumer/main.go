// Command consumer is the consumer function: SQS batch → providers, with
// partial batch failures, read-back, the ledger and a dead-letter queue for
// permanent failures.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/revoke-dev/revoke/pkg/consumer"
	"github.com/revoke-dev/revoke/pkg/lambdainit"
)

func main() {
	lambda.Start(consumer.New(&lambdainit.Must().Parts).Handle)
}
