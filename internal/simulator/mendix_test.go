package simulator

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// Errors take the shapes of Mendix's published OpenAPI specs, per API, and
// neither API answers a "user not found" of its own.
func TestMendixErrorShapes(t *testing.T) {
	s := NewMendix("pat-0123456789", Options{})
	defer s.Close()
	s.Add(User{ID: "6f1e7f5e-1111-4a6b-9c1d-000000000001", Email: "John.Smith@corp.com"})
	do := func(method, path, auth, body string) (int, map[string]any) {
		req, _ := http.NewRequest(method, s.URL()+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", auth)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&m)
		return resp.StatusCode, m
	}
	deactivationShape := func(m map[string]any, code float64) bool {
		e, ok := m["error"].(map[string]any)
		return ok && e["code"] == code && e["message"] != nil && e["detail"] != nil && e["instance"] != nil
	}
	identifiersShape := func(m map[string]any, code float64) bool {
		return m["statusCode"] == code && m["errorCode"] != nil && m["errorText"] != nil && m["displayText"] != nil
	}
	tests := []struct {
		name   string
		method string
		path   string
		auth   string
		body   string
		status int
		shape  func(map[string]any) bool
	}{
		{"deactivate, wrong PAT", "PATCH", "/v1/platform-users/6f1e7f5e-1111-4a6b-9c1d-000000000001", "MxToken x", `{"active":false}`, 401, func(m map[string]any) bool { return deactivationShape(m, 401) }},
		{"deactivate, unknown UUID", "PATCH", "/v1/platform-users/6f1e7f5e-1111-4a6b-9c1d-000000000002", "MxToken pat-0123456789", `{"active":false}`, 400, func(m map[string]any) bool { return deactivationShape(m, 400) }},
		{"deactivate, active true", "PATCH", "/v1/platform-users/6f1e7f5e-1111-4a6b-9c1d-000000000001", "MxToken pat-0123456789", `{"active":true}`, 400, func(m map[string]any) bool { return deactivationShape(m, 400) }},
		{"uuids, wrong PAT", "POST", "/v1/uuids", "MxToken x", `{"emailAddresses":[{"emailAddress":"a@b.c"}]}`, 401, func(m map[string]any) bool { return identifiersShape(m, 401) }},
		{"uuids, empty", "POST", "/v1/uuids", "MxToken pat-0123456789", `{"emailAddresses":[]}`, 400, func(m map[string]any) bool { return identifiersShape(m, 400) }},
		{"uuids, one unknown", "POST", "/v1/uuids", "MxToken pat-0123456789", `{"emailAddresses":[{"emailAddress":"john.smith@corp.com"},{"emailAddress":"x@corp.com"}]}`, 200, func(m map[string]any) bool {
			ids, _ := m["identifiers"].([]any)
			e, _ := m["error"].(map[string]any)
			missing, _ := e["emailAddresses"].([]any)
			if len(ids) != 1 || len(missing) != 1 {
				return false
			}
			first, _ := missing[0].(map[string]any)
			return first["emailAddress"] == "x@corp.com"
		}},
		{"unknown route", "GET", "/v1/platform-users", "MxToken pat-0123456789", ``, 404, func(m map[string]any) bool { return m["error"] == nil && m["message"] != nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, m := do(tt.method, tt.path, tt.auth, tt.body)
			if status != tt.status || !tt.shape(m) {
				t.Fatalf("got %d %v", status, m)
			}
		})
	}
}
