package scimapi

import (
	"github.com/aws/aws-lambda-go/events"
)

type supported struct {
	Supported bool `json:"supported"`
}

// serviceProviderConfig says what revoke's SCIM service does (RFC 7643 §5).
func serviceProviderConfig(base string) map[string]any {
	return map[string]any{
		"schemas":          []string{SchemaSPC},
		"documentationUri": "https://github.com/revoke-dev/revoke#scim-20-front-door",
		"patch":            supported{true},
		"bulk":             map[string]any{"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
		"filter":           map[string]any{"supported": true, "maxResults": MaxResults},
		"changePassword":   supported{false},
		"sort":             supported{false},
		"etag":             supported{true},
		"authenticationSchemes": []map[string]any{{
			"type": "oauthbearertoken", "name": "OAuth Bearer Token", "primary": true,
			"description": "A bearer token from the secret named by SCIM_TOKENS_SECRET_ID (Authorization: Bearer <token>)",
		}},
		"meta": map[string]string{"resourceType": "ServiceProviderConfig", "location": base + "/ServiceProviderConfig"},
	}
}

func userResourceType(base string) map[string]any {
	return map[string]any{
		"schemas": []string{SchemaResourceType}, "id": "User", "name": "User", "endpoint": "/Users",
		"description": "User Account", "schema": SchemaUser,
		"schemaExtensions": []map[string]any{{"schema": SchemaEnterprise, "required": false}},
		"meta":             map[string]string{"resourceType": "ResourceType", "location": base + "/ResourceTypes/User"},
	}
}

func resourceTypes(c *call, rest []string) events.APIGatewayV2HTTPResponse {
	if len(rest) == 1 {
		if rest[0] != "User" {
			return fail(404, c.id, "", "no such resource type")
		}
		return respond(200, c.id, userResourceType(c.base))
	}
	return respond(200, c.id, list(1, 1, []any{userResourceType(c.base)}))
}

func attr(name, typ string, required, caseExact bool, mutability, uniqueness string, sub []map[string]any) map[string]any {
	a := map[string]any{"name": name, "type": typ, "multiValued": false, "required": required, "caseExact": caseExact,
		"mutability": mutability, "returned": "default", "uniqueness": uniqueness, "description": name}
	if sub != nil {
		a["subAttributes"] = sub
	}
	return a
}

func userSchema(base string) map[string]any {
	str := func(n string) map[string]any { return attr(n, "string", false, false, "readWrite", "none", nil) }
	emails := attr("emails", "complex", false, false, "readWrite", "none",
		[]map[string]any{str("value"), str("type"), attr("primary", "boolean", false, false, "readWrite", "none", nil)})
	emails["multiValued"] = true
	return map[string]any{
		"schemas": []string{SchemaSchema}, "id": SchemaUser, "name": "User", "description": "User Account",
		"attributes": []map[string]any{
			attr("userName", "string", true, false, "readWrite", "server", nil),
			attr("externalId", "string", false, true, "readWrite", "none", nil),
			attr("name", "complex", false, false, "readWrite", "none", []map[string]any{
				str("formatted"), str("familyName"), str("givenName"), str("middleName"), str("honorificPrefix"), str("honorificSuffix")}),
			str("displayName"),
			attr("active", "boolean", false, false, "readWrite", "none", nil),
			emails,
		},
		"meta": map[string]string{"resourceType": "Schema", "location": base + "/Schemas/" + SchemaUser},
	}
}

func schemas(c *call, rest []string) events.APIGatewayV2HTTPResponse {
	if len(rest) == 1 {
		if rest[0] != SchemaUser {
			return fail(404, c.id, "", "no such schema")
		}
		return respond(200, c.id, userSchema(c.base))
	}
	return respond(200, c.id, list(1, 1, []any{userSchema(c.base)}))
}
