package directory

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
)

// NewAWS reads directories with the identity store and cognito-idp
// clients of an AWS configuration.
func NewAWS(cfg aws.Config) *AWS {
	return &AWS{IdentityStore: identitystore.NewFromConfig(cfg), Cognito: cip.NewFromConfig(cfg)}
}
