package scimapi

import (
	"encoding/json"
	"strconv"

	"github.com/aws/aws-lambda-go/events"
)

// SCIM URNs.
const (
	MediaType          = "application/scim+json"
	SchemaUser         = "urn:ietf:params:scim:schemas:core:2.0:User"
	SchemaEnterprise   = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	SchemaGroup        = "urn:ietf:params:scim:schemas:core:2.0:Group"
	SchemaListResponse = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	SchemaPatchOp      = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	SchemaError        = "urn:ietf:params:scim:api:messages:2.0:Error"
	SchemaSPC          = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
	SchemaResourceType = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
	SchemaSchema       = "urn:ietf:params:scim:schemas:core:2.0:Schema"
)

// scimTypes of error responses (RFC 7644 §3.12).
const (
	typeInvalidFilter = "invalidFilter"
	typeInvalidSyntax = "invalidSyntax"
	typeInvalidValue  = "invalidValue"
	typeUniqueness    = "uniqueness"
	typeNoTarget      = "noTarget"
	typeTooMany       = "tooMany"
)

type scimError struct {
	Schemas  []string `json:"schemas"`
	Status   string   `json:"status"`
	ScimType string   `json:"scimType,omitempty"`
	Detail   string   `json:"detail"`
}

func headers(requestID string) map[string]string {
	return map[string]string{"Content-Type": MediaType, "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff", "X-Request-Id": requestID}
}

func respond(status int, requestID string, body any) events.APIGatewayV2HTTPResponse {
	r := events.APIGatewayV2HTTPResponse{StatusCode: status, Headers: headers(requestID)}
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fail(500, requestID, "", "internal error")
		}
		r.Body = string(b)
	}
	return r
}

// fail is a SCIM error response (status as a string in the body).
func fail(status int, requestID, scimType, detail string) events.APIGatewayV2HTTPResponse {
	return respond(status, requestID, scimError{Schemas: []string{SchemaError}, Status: strconv.Itoa(status), ScimType: scimType, Detail: detail})
}

type listResponse struct {
	Schemas      []string `json:"schemas"`
	TotalResults int      `json:"totalResults"`
	StartIndex   int      `json:"startIndex"`
	ItemsPerPage int      `json:"itemsPerPage"`
	Resources    []any    `json:"Resources"`
}

func list(total, start int, resources []any) listResponse {
	if resources == nil {
		resources = []any{}
	}
	return listResponse{Schemas: []string{SchemaListResponse}, TotalResults: total, StartIndex: start, ItemsPerPage: len(resources), Resources: resources}
}
