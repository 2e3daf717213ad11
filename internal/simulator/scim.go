package simulator

import (
	"cmp"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
)

// SCIM simulates a SCIM 2.0 service rooted at /scim/v2: PATCH /Users/{id}
// on "active" (the path form, and the no-path form), GET /Users/{id}, and
// GET /Users?filter= with userName, emails.value or id eq terms joined by
// or, paged as RFC 7644
// §3.4.2.4 says (startIndex 1-based, below 1 read as 1; count a maximum the
// server may lower, 0 for totalResults only; itemsPerPage and startIndex
// in every answer). Filter values are compared literally, as servers built
// on common SCIM libraries do (only \" and \\ are unescaped: "\u0026" is
// not "&"). Anything off /scim/v2 is a bare 404. Safe for concurrent use.
type SCIM struct {
	base
	// MatchEmailsOnly: userName is a handle (Slack), so only emails.value
	// finds a user by address.
	MatchEmailsOnly bool
	// RejectPathPatch answers 400 to the path form of a PATCH (servers that
	// take only Okta's no-path form).
	RejectPathPatch bool
	// NoContent answers a PATCH with 204 instead of the resource.
	NoContent bool
	// Deactivated404 answers 404 for a deactivated user (Atlassian).
	Deactivated404 bool
	// PageSize is the most resources a list answer holds, whatever count
	// asks (0: DefaultSCIMPageSize).
	PageSize int
}

// DefaultSCIMPageSize is the simulator's page size unless PageSize is set.
const DefaultSCIMPageSize = 100

// NewSCIM returns a started simulator.
func NewSCIM(token string, o Options) *SCIM {
	s := &SCIM{}
	s.sendsRateHeaders = true
	s.init(o)
	s.cred = token
	s.srv = httptest.NewServer(s)
	return s
}

// BaseURL is the base_url a connection secret names.
func (s *SCIM) BaseURL() string { return s.URL() + "/scim/v2" }

// SecretFields implements Sim.
func (s *SCIM) SecretFields() map[string]any {
	return map[string]any{"base_url": s.BaseURL(), "token": s.credential()}
}

func scimError(w http.ResponseWriter, status int, scimType, detail string) {
	w.Header().Set("Content-Type", "application/scim+json")
	body := map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:Error"}, "status": strconv.Itoa(status), "detail": detail}
	if scimType != "" {
		body["scimType"] = scimType
	}
	writeJSON(w, status, body)
}

func (s *SCIM) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.EscapedPath()
	if !strings.HasPrefix(path, "/scim/v2/") {
		http.NotFound(w, r)
		return
	}
	authorized := func() bool { return r.Header.Get("Authorization") == "Bearer "+s.credential() }
	if !s.gate(w, r, authorized, func(w http.ResponseWriter, status int) {
		detail := map[int]string{http.StatusTooManyRequests: "too many requests", http.StatusUnauthorized: "authorization failure"}[status]
		scimError(w, status, "", cmp.Or(detail, "service unavailable"))
	}) {
		return
	}
	switch id, ok := strings.CutPrefix(path, "/scim/v2/Users/"); {
	case ok && id != "" && !strings.Contains(id, "/") && r.Method == http.MethodPatch:
		s.patch(w, r, id)
	case ok && id != "" && !strings.Contains(id, "/") && r.Method == http.MethodGet:
		s.get(w, id)
	case path == "/scim/v2/Users" && r.Method == http.MethodGet:
		s.filter(w, r)
	default:
		scimError(w, http.StatusNotFound, "", "no such resource")
	}
}

func (s *SCIM) resource(u User) map[string]any {
	name := u.Email
	if u.Handle != "" {
		name = u.Handle
	}
	return map[string]any{"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:User"}, "id": u.ID, "userName": name,
		"emails": []map[string]any{{"value": u.Email, "primary": true}}, "active": !u.Disabled}
}

type scimOp struct {
	Op    string          `json:"op"`
	Path  string          `json:"path"`
	Value json.RawMessage `json:"value"`
}

// active reads the asked state from an operation (path or no-path form).
func (s *SCIM) active(op scimOp) (active, ok bool) {
	if !strings.EqualFold(op.Op, "replace") {
		return false, false
	}
	if op.Path == "" {
		var v struct {
			Active *bool `json:"active"`
		}
		if json.Unmarshal(op.Value, &v) != nil || v.Active == nil {
			return false, false
		}
		return *v.Active, true
	}
	if op.Path != "active" || s.RejectPathPatch {
		return false, false
	}
	err := json.Unmarshal(op.Value, &active)
	return active, err == nil
}

func (s *SCIM) patch(w http.ResponseWriter, r *http.Request, id string) {
	var body struct {
		Schemas    []string `json:"schemas"`
		Operations []scimOp `json:"Operations"`
	}
	if !isJSON(r, "application/scim+json", "application/json") || readJSON(r, &body) != nil ||
		len(body.Schemas) != 1 || body.Schemas[0] != "urn:ietf:params:scim:api:messages:2.0:PatchOp" || len(body.Operations) != 1 {
		scimError(w, http.StatusBadRequest, "invalidSyntax", "expected a PatchOp with one operation")
		return
	}
	active, ok := s.active(body.Operations[0])
	if !ok {
		scimError(w, http.StatusBadRequest, "invalidSyntax", "unsupported operation")
		return
	}
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
	if s.NoContent {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	u, _ := s.User(id)
	w.Header().Set("Content-Type", "application/scim+json")
	writeJSON(w, http.StatusOK, s.resource(u))
}

func (s *SCIM) get(w http.ResponseWriter, id string) {
	u, ok := s.User(id)
	if !ok || (s.Deactivated404 && u.Disabled) {
		scimError(w, http.StatusNotFound, "", "Resource "+id+" not found")
		return
	}
	s.record("read")
	w.Header().Set("Content-Type", "application/scim+json")
	writeJSON(w, http.StatusOK, s.resource(u))
}

// literal unquotes a filter value the way many SCIM libraries do: only \"
// and \\ are escapes.
func literal(q string) (string, bool) {
	if len(q) < 2 || q[0] != '"' || q[len(q)-1] != '"' {
		return "", false
	}
	return strings.NewReplacer(`\"`, `"`, `\\`, `\`).Replace(q[1 : len(q)-1]), true
}

// term is one `attr eq "value"` of a filter.
type term struct{ attr, val string }

// parseFilter reads `attr eq "value"` terms joined by " or " (RFC 7644
// §3.4.2.2), for the attributes userName, emails.value and id.
func parseFilter(f string) ([]term, bool) {
	var out []term
	for {
		attr, rest, ok := strings.Cut(f, " eq ")
		if !ok || (attr != "userName" && attr != "emails.value" && attr != "id") || len(rest) < 2 || rest[0] != '"' {
			return nil, false
		}
		end := 1
		for end < len(rest) && rest[end] != '"' {
			if rest[end] == '\\' {
				end++
			}
			end++
		}
		if end >= len(rest) {
			return nil, false
		}
		val, ok := literal(rest[:end+1])
		if !ok {
			return nil, false
		}
		out = append(out, term{attr, val})
		f = rest[end+1:]
		if f == "" {
			return out, true
		}
		if f, ok = strings.CutPrefix(f, " or "); !ok || len(out) >= 100 {
			return nil, false
		}
	}
}

func (s *SCIM) filter(w http.ResponseWriter, r *http.Request) {
	f := r.URL.Query().Get("filter")
	terms, ok := parseFilter(f)
	if f == "" {
		terms, ok = nil, true // no filter: every user, paged (RFC 7644 §3.4.2)
	}
	if !ok {
		scimError(w, http.StatusBadRequest, "invalidFilter", `only userName, emails.value and id eq "…", joined by or, are supported`)
		return
	}
	start, count, ok := pageParams(r, cmp.Or(s.PageSize, DefaultSCIMPageSize))
	if !ok {
		scimError(w, http.StatusBadRequest, "invalidValue", "startIndex and count must be integers")
		return
	}
	var match []User
	for _, u := range s.Users() {
		if len(terms) == 0 {
			match = append(match, u)
			continue
		}
		for _, t := range terms {
			if s.matches(u, t) {
				match = append(match, u)
				break
			}
		}
	}
	res := []map[string]any{}
	for i := start - 1; i < len(match) && len(res) < count; i++ {
		res = append(res, s.resource(match[i]))
	}
	if len(terms) == 0 {
		s.record("list")
	} else {
		s.record("filter")
	}
	writeJSON(w, http.StatusOK, map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:ListResponse"},
		"totalResults": len(match), "startIndex": start, "itemsPerPage": len(res), "Resources": res})
}

// matches reports whether a user matches one filter term: ids exactly,
// userName and emails case-insensitively (RFC 7643 §4.1.1, §2.4).
func (s *SCIM) matches(u User, t term) bool {
	switch {
	case t.attr == "id":
		return u.ID == t.val
	case t.attr == "emails.value":
		return strings.EqualFold(u.Email, t.val)
	case u.Handle != "":
		return strings.EqualFold(u.Handle, t.val)
	}
	return !s.MatchEmailsOnly && strings.EqualFold(u.Email, t.val)
}

// pageParams reads startIndex (1-based; absent or below 1 is 1) and count
// (absent: the server's page size; negative is 0; above the page size is
// lowered to it), as RFC 7644 §3.4.2.4 says.
func pageParams(r *http.Request, pageSize int) (start, count int, ok bool) {
	start, count = 1, pageSize
	q := r.URL.Query()
	if v := q.Get("startIndex"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return 0, 0, false
		}
		start = max(n, 1)
	}
	if v := q.Get("count"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return 0, 0, false
		}
		count = min(max(n, 0), pageSize)
	}
	return start, count, true
}
