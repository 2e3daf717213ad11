package simulator

import (
	"cmp"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
)

// SCIM simulates a SCIM 2.0 service rooted at /scim/v2: PATCH /Users/{id}
// replacing "active", and GET /Users?filter=userName eq "…". Safe for
// concurrent use.
type SCIM struct {
	base
}

// NewSCIM returns a started simulator.
func NewSCIM(token string, o Options) *SCIM {
	s := &SCIM{}
	s.init(o)
	s.cred = token
	s.srv = httptest.NewServer(s)
	return s
}

// BaseURL is the base_url a connection secret names.
func (s *SCIM) BaseURL() string { return s.URL() + "/scim/v2" }

func scimError(w http.ResponseWriter, status int, scimType, detail string) {
	w.Header().Set("Content-Type", "application/scim+json")
	body := map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:Error"}, "status": strconv.Itoa(status), "detail": detail}
	if scimType != "" {
		body["scimType"] = scimType
	}
	writeJSON(w, status, body)
}

func (s *SCIM) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	authorized := func() bool { return r.Header.Get("Authorization") == "Bearer "+s.credential() }
	if !s.gate(w, r, authorized, func(w http.ResponseWriter, status int) {
		detail := map[int]string{http.StatusTooManyRequests: "too many requests", http.StatusUnauthorized: "authorization failure"}[status]
		scimError(w, status, "", cmp.Or(detail, "service unavailable"))
	}) {
		return
	}
	path := r.URL.EscapedPath()
	switch id, ok := strings.CutPrefix(path, "/scim/v2/Users/"); {
	case ok && r.Method == http.MethodPatch && id != "" && !strings.Contains(id, "/"):
		s.patch(w, r, id)
	case path == "/scim/v2/Users" && r.Method == http.MethodGet:
		s.filter(w, r)
	default:
		scimError(w, http.StatusNotFound, "", "no such resource")
	}
}

func (s *SCIM) patch(w http.ResponseWriter, r *http.Request, id string) {
	var body struct {
		Schemas    []string `json:"schemas"`
		Operations []struct {
			Op    string `json:"op"`
			Path  string `json:"path"`
			Value *bool  `json:"value"`
		} `json:"Operations"`
	}
	if !isJSON(r, "application/scim+json", "application/json") || readJSON(r, &body) != nil ||
		len(body.Schemas) != 1 || body.Schemas[0] != "urn:ietf:params:scim:api:messages:2.0:PatchOp" ||
		len(body.Operations) != 1 || !strings.EqualFold(body.Operations[0].Op, "replace") ||
		body.Operations[0].Path != "active" || body.Operations[0].Value == nil {
		scimError(w, http.StatusBadRequest, "invalidSyntax", "expected a PatchOp replacing active")
		return
	}
	active := *body.Operations[0].Value
	exists, ch := s.setDisabled(id, !active)
	if !exists {
		scimError(w, http.StatusNotFound, "", "Resource "+id+" not found")
		return
	}
	var changed []string
	if ch {
		changed = append(changed, id)
	}
	s.record("patch", changed...)
	u, _ := s.User(id)
	w.Header().Set("Content-Type", "application/scim+json")
	writeJSON(w, http.StatusOK, map[string]any{"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:User"}, "id": u.ID, "userName": u.Email, "active": !u.Disabled})
}

func (s *SCIM) filter(w http.ResponseWriter, r *http.Request) {
	f := r.URL.Query().Get("filter")
	rest, ok := strings.CutPrefix(f, "userName eq ")
	val, err := strconv.Unquote(rest)
	if !ok || err != nil {
		scimError(w, http.StatusBadRequest, "invalidFilter", "only userName eq \"…\" is supported")
		return
	}
	res := []map[string]any{}
	for _, u := range s.byEmail(val, true) {
		res = append(res, map[string]any{"id": u.ID, "userName": u.Email, "active": !u.Disabled})
	}
	s.record("filter")
	writeJSON(w, http.StatusOK, map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:ListResponse"}, "totalResults": len(res), "Resources": res})
}
