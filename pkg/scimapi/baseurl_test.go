package scimapi

import (
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

// The resource locations carry the stage only when it is a stage name API
// Gateway allows; before, the user-id check let '.', '@', ':' and '+' into
// the path of every Location and meta.location.
func TestBaseURLStage(t *testing.T) {
	for _, tc := range []struct {
		name, stage, want string
	}{
		{"default stage", "$default", "https://api.example.com/scim/v2"},
		{"no stage", "", "https://api.example.com/scim/v2"},
		{"named stage", "prod_2-a", "https://api.example.com/prod_2-a/scim/v2"},
		{"dot", "v1.0", "https://api.example.com/scim/v2"},
		{"at sign", "x@evil.example", "https://api.example.com/scim/v2"},
		{"colon", "a:b", "https://api.example.com/scim/v2"},
		{"longest", strings.Repeat("s", 128), "https://api.example.com/" + strings.Repeat("s", 128) + "/scim/v2"},
		{"too long", strings.Repeat("s", 129), "https://api.example.com/scim/v2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := &events.APIGatewayV2HTTPRequest{}
			req.RequestContext.DomainName, req.RequestContext.Stage = "api.example.com", tc.stage
			if got := baseURL(req); got != tc.want {
				t.Errorf("baseURL = %q, want %q", got, tc.want)
			}
		})
	}
}
