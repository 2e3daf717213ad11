// Command consumer is the consumer function: SQS batch → providers, with
// partial batch failures, read-back, the ledger and a dead-letter queue for
// permanent failures.
package main

import (
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/revoke-dev/revoke/pkg/consumer"
	"github.com/revoke-dev/revoke/pkg/lambdainit"
)

func main() {
	env := lambdainit.Must()
	c := &consumer.Consumer{Config: env.Config, Secrets: env.Secrets, DLQ: env.Queue, Ledger: env.Ledger, Log: env.Log, Metrics: os.Stdout,
		Submit: env.Submitter()}
	lambda.Start(c.Handle)
}
