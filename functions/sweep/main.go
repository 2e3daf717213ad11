// Command sweep is the scheduled sweep: re-drive transient DLQ failures and
// enqueue revocations of inactive accounts.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/revoke-dev/revoke/pkg/audit"
	"github.com/revoke-dev/revoke/pkg/config"
	"github.com/revoke-dev/revoke/pkg/queue"
	"github.com/revoke-dev/revoke/pkg/secrets"
	"github.com/revoke-dev/revoke/pkg/sweep"
)

func main() {
	cfg, err := config.Load(os.Getenv)
	if err != nil {
		audit.NewLogger(os.Stdout, slog.LevelInfo).Error("invalid configuration", "error", err)
		os.Exit(1)
	}
	log := audit.NewLogger(os.Stdout, cfg.LogLevel)
	aws, err := awsconfig.LoadDefaultConfig(context.Background())
	if err != nil {
		log.Error("aws configuration", "error", err)
		os.Exit(1)
	}
	s := &sweep.Sweeper{
		Config:  cfg,
		Queue:   &queue.SQS{API: sqs.NewFromConfig(aws)},
		Secrets: secrets.NewCache(&secrets.SecretsManager{API: secretsmanager.NewFromConfig(aws)}, config.DefaultSecretTTL),
		Log:     log,
	}
	lambda.Start(s.Handle)
}
