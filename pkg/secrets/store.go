package secrets

import (
	"context"
	"errors"
	"fmt"
	"sync"

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

// Memory is an in-memory Store. The zero value is empty and ready.
type Memory struct {
	mu    sync.Mutex
	vals  map[string]string
	calls int
}

var _ Store = (*Memory)(nil)

// Put sets a secret's value.
func (m *Memory) Put(id, value string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.vals == nil {
		m.vals = map[string]string{}
	}
	m.vals[id] = value
}

// Get implements Store.
func (m *Memory) Get(ctx context.Context, id string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls++
	v, ok := m.vals[id]
	if !ok {
		return "", fmt.Errorf("secrets: %s: %w", id, ErrNotFound)
	}
	return v, nil
}

// Calls reports how many times Get was called.
func (m *Memory) Calls() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.calls
}
