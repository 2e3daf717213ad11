package apigw

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

func TestHeader(t *testing.T) {
	req := &events.APIGatewayV2HTTPRequest{Headers: map[string]string{"authorization": "a", "X-Okta-Verification-Challenge": "v"}}
	if Header(req, "authorization") != "a" || Header(req, "x-okta-verification-challenge") != "v" || Header(req, "missing") != "" {
		t.Fatal(req.Headers)
	}
}

func TestBody(t *testing.T) {
	for _, c := range []struct {
		name     string
		req      events.APIGatewayV2HTTPRequest
		want     string
		tooLarge bool
		err      bool
	}{
		{"plain", events.APIGatewayV2HTTPRequest{Body: "abc"}, "abc", false, false},
		{"plain too large", events.APIGatewayV2HTTPRequest{Body: "abcde"}, "", true, false},
		{"base64", events.APIGatewayV2HTTPRequest{Body: base64.StdEncoding.EncodeToString([]byte("abcd")), IsBase64Encoded: true}, "abcd", false, false},
		{"base64 too large", events.APIGatewayV2HTTPRequest{Body: base64.StdEncoding.EncodeToString([]byte(strings.Repeat("x", 100))), IsBase64Encoded: true}, "", true, false},
		{"base64 one over", events.APIGatewayV2HTTPRequest{Body: base64.StdEncoding.EncodeToString([]byte("abcde")), IsBase64Encoded: true}, "", true, false},
		{"not base64", events.APIGatewayV2HTTPRequest{Body: "%%%", IsBase64Encoded: true}, "", false, true},
	} {
		b, tooLarge, err := Body(&c.req, 4)
		if string(b) != c.want || tooLarge != c.tooLarge || (err != nil) != c.err {
			t.Errorf("%s: %q %v %v", c.name, b, tooLarge, err)
		}
	}
}
