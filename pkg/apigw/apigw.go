// Package apigw reads API Gateway HTTP API requests (payload format 2.0)
// the way the API and the SCIM front door both need: headers by name and
// bodies decoded within a bound.
package apigw

import (
	"encoding/base64"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// Header looks a header up case-insensitively (payload v2 lower-cases
// names, but sam local and hand-made events may not).
func Header(req *events.APIGatewayV2HTTPRequest, name string) string {
	if v, ok := req.Headers[name]; ok {
		return v
	}
	for k, v := range req.Headers {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

// Body returns a request's body (decoded from base64 when API Gateway
// encoded it), bounded by max; tooLarge reports a body over max, found
// before anything that large is decoded.
func Body(req *events.APIGatewayV2HTTPRequest, max int) (b []byte, tooLarge bool, err error) {
	body := req.Body
	if !req.IsBase64Encoded {
		if len(body) > max {
			return nil, true, nil
		}
		return []byte(body), false, nil
	}
	if base64.StdEncoding.DecodedLen(len(body)) > max+3 {
		return nil, true, nil
	}
	b, err = base64.StdEncoding.DecodeString(body)
	if err != nil {
		return nil, false, err
	}
	if len(b) > max {
		return nil, true, nil
	}
	return b, false, nil
}
