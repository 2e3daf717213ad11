package clients

import (
	"errors"

	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/provider"
)

// Classify is how an error of Client counts: a classified provider error
// as it is; a secret that does not exist a permanent config error (naming
// the secret id, never a value); any other failure to read the secret
// (Secrets Manager unreachable, or refusing) a transient one. The caller
// logs err itself: its text is Secrets Manager's.
func Classify(op string, err error) *provider.Error {
	var pe *provider.Error
	switch {
	case errors.As(err, &pe):
		return pe
	case errors.Is(err, ErrSecretMissing):
		return provider.Config(op, err.Error())
	}
	return provider.Transient(op, message.CodeUnavailable, "reading the connection secret failed")
}
