// Command api is the API function: API Gateway HTTP API → validate → SQS.
package main

import (
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/revoke-dev/revoke/pkg/api"
	"github.com/revoke-dev/revoke/pkg/auth"
	"github.com/revoke-dev/revoke/pkg/config"
	"github.com/revoke-dev/revoke/pkg/lambdainit"
	"github.com/revoke-dev/revoke/pkg/queue"
	"github.com/revoke-dev/revoke/pkg/secrets"
)

func main() {
	cfg, log, aws := lambdainit.Must()
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
