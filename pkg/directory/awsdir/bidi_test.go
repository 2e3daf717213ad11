package awsdir

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	istypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
)

// The trigger's and the snapshot's front door: a directory address with a
// Unicode bidirectional control is never taken. (Before: CheckEmail let
// bidi controls through.)
func TestDirectoryDropsBidiAddresses(t *testing.T) {
	u := storeUser("id-1", aws.String("evil\u202egro.elpmaxe@example.com"),
		[]istypes.Email{{Value: aws.String("a\u2068b@example.com")}, {Value: aws.String("ok@example.com")}})
	if got := strings.Join(u.Emails, ","); got != "ok@example.com" {
		t.Fatalf("got %q", got)
	}
}
