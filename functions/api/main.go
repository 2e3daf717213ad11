// Command api is the API function: API Gateway HTTP API → validate → SQS.
package main

import (
	"context"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/revoke-dev/revoke/pkg/api"
	"github.com/revoke-dev/revoke/pkg/audit"
	"github.com/revoke-dev/revoke/pkg/auth"
	"github.com/revoke-dev/revoke/pkg/config"
	"github.com/revoke-dev/revoke/pkg/queue"
	"github.com/revoke-dev/revoke/pkg/secrets"
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
	h := &api.Handler{
		Config: cfg,
		Auth: &auth.Authenticator{
			IAM:          cfg.AuthMode == "iam",
			SecretID:     cfg.APITokensSecretID,
			Source:       secrets.NewCache(&secrets.SecretsManager{API: secretsmanager.NewFromConfig(aws)}, config.DefaultSecretTTL),
			RefreshAfter: time.Minute,
		},
		Queue: &queue.SQS{API: sqs.NewFromConfig(aws)},
		Log:   log,
	}
	lambda.Start(h.Handle)
}
