// Command consumer is the consumer function: SQS batch → providers, with
// partial batch failures and a dead-letter queue for permanent failures.
package main

import (
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/revoke-dev/revoke/pkg/config"
	"github.com/revoke-dev/revoke/pkg/consumer"
	"github.com/revoke-dev/revoke/pkg/lambdainit"
	"github.com/revoke-dev/revoke/pkg/queue"
	"github.com/revoke-dev/revoke/pkg/secrets"
)

func main() {
	cfg, log, aws := lambdainit.Must()
	c := &consumer.Consumer{
		Config:  cfg,
		Secrets: secrets.NewCache(&secrets.SecretsManager{API: secretsmanager.NewFromConfig(aws)}, config.DefaultSecretTTL),
		DLQ:     &queue.SQS{API: sqs.NewFromConfig(aws)},
		Log:     log,
		Metrics: os.Stdout,
	}
	lambda.Start(c.Handle)
}
