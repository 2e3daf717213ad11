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
// call). Errors take the shapes of Mendix's published OpenAPI specs
// (mendix/docs static/openapi-spec/user-deactivation-api.yaml and
// user-identifier-api.yaml): the Deactivation API answers
// {"error":{"message","detail","code","instance"}}, the Identifiers API
// {"statusCode","errorCode","errorText","displayText"}; 429 is
// {"message":"API rate limit exceeded"} and 503 the gateway's
// {"message","request_id"}. Neither spec documents a 404: an unknown path
// gets the gateway's bare 404, and a UUID the company does not have is
// answered with the Deactivation API's documented 400, never a "user not
// found" of its own. Safe for concurrent use.
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

// mxInstance is the "instance" the Deactivation API's errors carry.
const mxInstance = "urn:uuid:0e5d5395-da05-4f27-86b3-cc5e559af5ab"

// deactivationError writes the User Deactivation API's error shape.
func deactivationError(w http.ResponseWriter, status int, message, detail string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{"message": message, "detail": detail, "code": status, "instance": mxInstance}})
}

// identifiersError writes the User Identifiers API's error shape.
func identifiersError(w http.ResponseWriter, status int, code, text string) {
	writeJSON(w, status, map[string]any{"statusCode": status, "errorCode": code, "errorText": text,
		"displayText": "Something went wrong. If the problem persists, please let us know!"})
}

// mxFailure writes the answer for a status the common checks decided, in
// the shape of the API the path belongs to.
func mxFailure(w http.ResponseWriter, status int, identifiers bool) {
	switch {
	case status == http.StatusTooManyRequests:
		writeJSON(w, status, map[string]string{"message": "API rate limit exceeded"})
	case status == http.StatusServiceUnavailable:
		writeJSON(w, status, map[string]string{"message": "failure to get a peer from the ring-balancer", "request_id": "960c04249094f36ecf89252924e61571"})
	case status == http.StatusUnauthorized && identifiers:
		identifiersError(w, status, "UNAUTHORIZED", "Bearer token is either expired or not yet valid, please supply a valid bearer token")
	case status == http.StatusUnauthorized:
		deactivationError(w, status, "Unauthorized", "Access token is non-existent or expired.")
	case status == http.StatusForbidden && identifiers:
		identifiersError(w, status, "FORBIDDEN", "Bearer token is missing required scope(s): mx:mxid3:user-identifiers:uuid:read")
	case status == http.StatusForbidden:
		deactivationError(w, status, "Forbidden", "Access token does not include the required scope.")
	case identifiers:
		identifiersError(w, status, "INTERNAL_SERVER_ERROR", "Something went wrong. Internal server error")
	default:
		deactivationError(w, status, http.StatusText(status), http.StatusText(status))
	}
}

func (s *Mendix) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.EscapedPath()
	identifiers := path == "/v1/uuids"
	authorized := func() bool { return r.Header.Get("Authorization") == "MxToken "+s.credential() }
	if !s.gate(w, r, authorized, func(w http.ResponseWriter, status int) { mxFailure(w, status, identifiers) }) {
		return
	}
	if s.NoScope {
		mxFailure(w, http.StatusForbidden, identifiers)
		return
	}
	switch id, ok := strings.CutPrefix(path, "/v1/platform-users/"); {
	case ok && r.Method == http.MethodPatch && id != "" && !strings.Contains(id, "/"):
		s.deactivate(w, r, id)
	case identifiers && r.Method == http.MethodPost:
		s.uuids(w, r)
	default:
		// The gateway in front of both APIs: no Mendix error body.
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "no Route matched with those values"})
	}
}

func (s *Mendix) deactivate(w http.ResponseWriter, r *http.Request, id string) {
	var body struct {
		Active *bool `json:"active"`
	}
	if !isJSON(r) || readJSON(r, &body) != nil || body.Active == nil || *body.Active {
		deactivationError(w, http.StatusBadRequest, "The request data did not validate", "Request payload is invalid.")
		return
	}
	exists, ch := s.setDisabled(id, true)
	if !exists {
		// The spec documents no answer for a UUID outside the company (the
		// UUID comes from the Identifiers API): its documented 400.
		deactivationError(w, http.StatusBadRequest, "The request data did not validate", "Request payload is invalid.")
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
		identifiersError(w, http.StatusBadRequest, "INVALID_REQUEST", "emailAddresses must hold 1 to 100 entries")
		return
	}
	ids := []map[string]string{}
	missing := []map[string]string{}
	for _, e := range body.EmailAddresses {
		if len(e.EmailAddress) > 200 {
			identifiersError(w, http.StatusBadRequest, "INVALID_REQUEST", "an email address is longer than 200 characters")
			return
		}
		found := s.byEmail(e.EmailAddress, true)
		for _, u := range found {
			ids = append(ids, map[string]string{"emailAddress": u.Email, "uuid": u.ID})
		}
		if len(found) == 0 {
			missing = append(missing, map[string]string{"emailAddress": e.EmailAddress})
		}
	}
	s.record("uuids")
	answer := map[string]any{"identifiers": ids}
	if len(missing) > 0 {
		answer["error"] = map[string]any{"message": "No user(s) found with the following email address(es) within your company", "emailAddresses": missing}
	}
	writeJSON(w, http.StatusOK, answer)
}
