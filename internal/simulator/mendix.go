package simulator

import (
	"net/http"
	"net/http/httptest"
	"strings"
)

// Mendix simulates both Mendix APIs on one server: PATCH
// /v1/platform-users/{uuid} (User Deactivation) and POST /v1/uuids (User
// Identifiers: emails it does not know are listed under
// error.emailAddresses; an email over 200 characters fails the whole
// call). Safe for concurrent use.
type Mendix struct {
	base
	// NoScope makes every call answer 403 (a PAT without the scope).
	NoScope bool
}

// SecretFields implements Sim.
func (s *Mendix) SecretFields() map[string]any {
	return map[string]any{"pat": s.credential(), "deactivation_url": s.URL(), "identifiers_url": s.URL()}
}

// NewMendix returns a started simulator.
func NewMendix(pat string, o Options) *Mendix {
	s := &Mendix{}
	s.init(o)
	s.cred = pat
	s.srv = httptest.NewServer(s)
	return s
}

func mxError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]string{"code": code, "message": msg}})
}

func (s *Mendix) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	authorized := func() bool { return r.Header.Get("Authorization") == "MxToken "+s.credential() }
	if !s.gate(w, r, authorized, func(w http.ResponseWriter, status int) {
		switch status {
		case http.StatusTooManyRequests:
			writeJSON(w, status, map[string]string{"message": "API rate limit exceeded"})
		case http.StatusUnauthorized:
			mxError(w, status, "UNAUTHORIZED", "invalid token")
		default:
			mxError(w, status, "UNAVAILABLE", "service unavailable")
		}
	}) {
		return
	}
	if s.NoScope {
		mxError(w, http.StatusForbidden, "FORBIDDEN", "missing scope mx:user-deactivation:write")
		return
	}
	path := r.URL.EscapedPath()
	switch id, ok := strings.CutPrefix(path, "/v1/platform-users/"); {
	case ok && r.Method == http.MethodPatch && id != "" && !strings.Contains(id, "/"):
		s.deactivate(w, r, id)
	case path == "/v1/uuids" && r.Method == http.MethodPost:
		s.uuids(w, r)
	default:
		mxError(w, http.StatusNotFound, "NOT_FOUND", "no such route")
	}
}

func (s *Mendix) deactivate(w http.ResponseWriter, r *http.Request, id string) {
	var body struct {
		Active *bool `json:"active"`
	}
	if !isJSON(r) || readJSON(r, &body) != nil || body.Active == nil || *body.Active {
		mxError(w, http.StatusBadRequest, "INVALID_REQUEST", "body must be {\"active\": false}")
		return
	}
	exists, ch := s.setDisabled(id, true)
	if !exists {
		mxError(w, http.StatusNotFound, "USER_NOT_FOUND", "user not found")
		return
	}
	var changed []string
	if ch {
		changed = append(changed, id)
	}
	s.record("deactivate", changed...)
	w.WriteHeader(http.StatusNoContent)
}

func (s *Mendix) uuids(w http.ResponseWriter, r *http.Request) {
	var body struct {
		EmailAddresses []struct {
			EmailAddress string `json:"emailAddress"`
		} `json:"emailAddresses"`
	}
	if !isJSON(r) || readJSON(r, &body) != nil || len(body.EmailAddresses) == 0 || len(body.EmailAddresses) > 100 {
		mxError(w, http.StatusBadRequest, "INVALID_REQUEST", "emailAddresses must hold 1 to 100 entries")
		return
	}
	ids := []map[string]string{}
	var missing []string
	for _, e := range body.EmailAddresses {
		if len(e.EmailAddress) > 200 {
			mxError(w, http.StatusBadRequest, "INVALID_REQUEST", "an email address is longer than 200 characters")
			return
		}
		found := s.byEmail(e.EmailAddress, true)
		for _, u := range found {
			ids = append(ids, map[string]string{"emailAddress": u.Email, "uuid": u.ID})
		}
		if len(found) == 0 {
			missing = append(missing, e.EmailAddress)
		}
	}
	s.record("uuids")
	answer := map[string]any{"identifiers": ids}
	if len(missing) > 0 {
		answer["error"] = map[string]any{"message": "Some email addresses could not be found", "emailAddresses": missing}
	}
	writeJSON(w, http.StatusOK, answer)
}
