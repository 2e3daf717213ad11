// Package lambdainit is the part of every function's init that is the
// same: read the configuration contract, build the JSON logger, and load
// the AWS SDK configuration (AWS_REGION, AWS_ENDPOINT_URL, credentials).
// A bad configuration stops the function before it serves anything.
package lambdainit

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"

	"github.com/revoke-dev/revoke/pkg/audit"
	"github.com/revoke-dev/revoke/pkg/config"
)

// Must returns the configuration, logger and AWS configuration, or logs
// why not and exits (Lambda reports an init error).
func Must() (*config.Config, *slog.Logger, aws.Config) {
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
	return cfg, log, aws
}
