package clients_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/revoke-dev/revoke/pkg/clients"
	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/provider"
)

// Classify: how an error of Builder.Client counts, whatever the caller.
func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		name  string
		err   error
		code  message.Code
		retry bool
	}{
		{"provider error as it is", provider.Permanent("x", message.CodeUnauthorized, "refused"), message.CodeUnauthorized, false},
		{"missing secret is config", fmt.Errorf("%w: revoke/crm", clients.ErrSecretMissing), message.CodeConfig, false},
		{"Secrets Manager failure is transient", errors.New("AccessDeniedException: secret arn:…"), message.CodeUnavailable, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pe := clients.Classify("op", tc.err)
			if pe.Code != tc.code || pe.Retryable() != tc.retry {
				t.Fatalf("%+v, want %s retry=%v", pe, tc.code, tc.retry)
			}
			if tc.retry && strings.Contains(pe.Error(), "arn:") {
				t.Fatalf("Secrets Manager's text reached the classified error: %v", pe)
			}
		})
	}
}
