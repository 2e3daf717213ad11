package simulator

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
)

// Backendless simulates an app's REST API at /{AppID}/{APIKey}/, or at
// /api/ on a custom domain (AppID empty), as documented: PUT
// users/{id}/status (3085/3086 when the user already has that status, 3030
// for an unknown user), GET data/Users with where, pageSize and offset, and
// GET data/Users/{objectId} (1000 for an unknown one). Errors are
// {"code","message"}; anything off the API's routes is a bare 404. Safe for
// concurrent use.
type Backendless struct {
	base
	AppID string
	// RateLimit200 answers rate-limited calls with HTTP 200 and code 999
	// (Backendless does this sometimes) instead of HTTP 429.
	RateLimit200 bool
}

// NewBackendless returns a started simulator (appID and apiKey empty: a
// custom domain serving the API under /api).
func NewBackendless(appID, apiKey string, o Options) *Backendless {
	s := &Backendless{AppID: appID}
	s.init(o)
	s.cred = apiKey
	s.srv = httptest.NewServer(s)
	return s
}

// Backendless error codes the simulator answers.
const (
	CodeRateLimit       = 999
	codeEntityNotFound  = 1000
	codeUserNotFound    = 3030
	codeAlreadyDisabled = 3085
	codeAlreadyEnabled  = 3086
)

// BaseURL is the base_url a connection secret names (with /api on a
// custom domain).
func (s *Backendless) BaseURL() string {
	if s.AppID == "" {
		return s.URL() + "/api"
	}
	return s.URL()
}

// SecretFields implements Sim.
func (s *Backendless) SecretFields() map[string]any {
	f := map[string]any{"base_url": s.BaseURL()}
	if s.AppID != "" {
		f["application_id"], f["api_key"] = s.AppID, s.credential()
	}
	return f
}

func blError(w http.ResponseWriter, status, code int, msg string) {
	writeJSON(w, status, map[string]any{"code": code, "message": msg})
}

func (s *Backendless) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.EscapedPath()
	key := ""
	prefix := "/api/"
	if s.AppID != "" {
		prefix = "/" + s.AppID + "/"
	}
	rest, ok := strings.CutPrefix(path, prefix)
	if !ok {
		http.NotFound(w, r) // not the REST API: a bare 404 page
		return
	}
	if s.AppID != "" {
		key, rest, _ = strings.Cut(rest, "/")
	}
	authorized := func() bool { return s.AppID == "" || key == s.credential() }
	if !s.gate(w, r, authorized, func(w http.ResponseWriter, status int) {
		switch status {
		case http.StatusTooManyRequests:
			if s.RateLimit200 {
				status = http.StatusOK
			}
			blError(w, status, CodeRateLimit, "Request rate exhausted")
		case http.StatusUnauthorized:
			blError(w, status, 3064, "Invalid API key")
		default:
			blError(w, status, 0, "server error")
		}
	}) {
		return
	}
	parts := strings.Split(rest, "/")
	switch {
	case r.Method == http.MethodPut && len(parts) == 3 && parts[0] == "users" && parts[2] == "status":
		s.status(w, r, parts[1])
	case r.Method == http.MethodGet && rest == "data/Users":
		s.query(w, r)
	case r.Method == http.MethodGet && len(parts) == 3 && parts[0] == "data" && parts[1] == "Users":
		s.read(w, parts[2])
	default:
		http.NotFound(w, r)
	}
}

func (s *Backendless) status(w http.ResponseWriter, r *http.Request, id string) {
	var body struct {
		UserStatus string `json:"userStatus"`
	}
	if !isJSON(r) {
		blError(w, http.StatusBadRequest, 8001, "Content-Type must be application/json")
		return
	}
	if readJSON(r, &body) != nil || (body.UserStatus != "DISABLED" && body.UserStatus != "ENABLED") {
		blError(w, http.StatusBadRequest, 8001, "userStatus must be ENABLED or DISABLED")
		return
	}
	disable := body.UserStatus == "DISABLED"
	u, ok := s.User(id)
	switch {
	case !ok:
		blError(w, http.StatusBadRequest, codeUserNotFound, "Unable to find user with id "+id)
		return
	case u.Disabled == disable && disable:
		blError(w, http.StatusBadRequest, codeAlreadyDisabled, "User is already disabled")
		return
	case u.Disabled == disable:
		blError(w, http.StatusBadRequest, codeAlreadyEnabled, "User is already enabled")
		return
	}
	var changed []string
	if _, ch := s.setDisabled(id, disable); ch {
		changed = append(changed, id)
	}
	s.record("status", changed...)
	w.WriteHeader(http.StatusOK) // no response body
}

func blRow(u User) map[string]any {
	row := map[string]any{"objectId": u.ID, "email": u.Email, "userStatus": "ENABLED", "___class": "Users"}
	if u.Disabled {
		row["userStatus"] = "DISABLED"
	}
	if !u.LastActive.IsZero() {
		row["lastLogin"] = u.LastActive.UnixMilli()
	} else {
		row["lastLogin"] = nil
	}
	if !u.Created.IsZero() {
		row["created"] = u.Created.UnixMilli()
	}
	return row
}

func (s *Backendless) read(w http.ResponseWriter, id string) {
	u, ok := s.User(id)
	if !ok {
		blError(w, http.StatusNotFound, codeEntityNotFound, "Entity with the specified ID cannot be found: Id - "+id)
		return
	}
	s.record("read")
	writeJSON(w, http.StatusOK, blRow(u))
}

func (s *Backendless) query(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	pageSize, offset := 10, 0
	if v := q.Get("pageSize"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			blError(w, http.StatusBadRequest, 1012, "pageSize must be 1 to 100")
			return
		}
		pageSize = n
	}
	if v := q.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			blError(w, http.StatusBadRequest, 1012, "offset must be a number")
			return
		}
		offset = n
	}
	pred, err := parseWhere(q.Get("where"))
	if err != nil {
		blError(w, http.StatusBadRequest, 1017, "Invalid where clause: "+err.Error())
		return
	}
	var match []map[string]any
	for _, u := range s.Users() {
		if row := blRow(u); pred(row) {
			match = append(match, row)
		}
	}
	page := []map[string]any{}
	for i := offset; i < len(match) && len(page) < pageSize; i++ {
		page = append(page, match[i])
	}
	s.record("query")
	writeJSON(w, http.StatusOK, page)
}
