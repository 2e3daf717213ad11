// Command sweep is the scheduled sweep: re-drive transient DLQ failures and
// enqueue revocations of inactive accounts.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/revoke-dev/revoke/pkg/config"
	"github.com/revoke-dev/revoke/pkg/lambdainit"
	"github.com/revoke-dev/revoke/pkg/queue"
	"github.com/revoke-dev/revoke/pkg/secrets"
	"github.com/revoke-dev/revoke/pkg/sweep"
)

func main() {
	cfg, log, aws := lambdainit.Must()
	s := &sweep.Sweeper{
		Config:  cfg,
		Queue:   &queue.SQS{API: sqs.NewFromConfig(aws)},
		Secrets: secrets.NewCache(&secrets.SecretsManager{API: secretsmanager.NewFromConfig(aws)}, config.DefaultSecretTTL),
		Log:     log,
	}
	lambda.Start(s.Handle)
}
