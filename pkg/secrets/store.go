package secrets

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
)

// ErrNotFound means the secret does not exist: a configuration error, never
// worth retrying.
var ErrNotFound = errors.New("secret not found")

// Store returns the current string value of a secret. Implementations are
// safe for concurrent use. Errors wrap ErrNotFound when the secret is absent;
// anything else is treated as transient.
type Store interface {
	Get(ctx context.Context, id string) (string, error)
}

// SecretsManagerAPI is the one call Store needs from the SDK client.
type SecretsManagerAPI interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, opt ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

// SecretsManager is a Store on AWS Secrets Manager.
type SecretsManager struct{ API SecretsManagerAPI }

var _ Store = (*SecretsManager)(nil)

// Get implements Store.
func (s *SecretsManager) Get(ctx context.Context, id string) (string, error) {
	out, err := s.API.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: &id})
	if err != nil {
		var nf *smtypes.ResourceNotFoundException
		if errors.As(err, &nf) {
			return "", fmt.Errorf("secrets: %s: %w", id, ErrNotFound)
		}
		return "", fmt.Errorf("secrets: get %s: %w", id, err)
	}
	if out.SecretString == nil {
		return "", fmt.Errorf("secrets: %s has no string value: %w", id, ErrNotFound)
	}
	return *out.SecretString, nil
}
