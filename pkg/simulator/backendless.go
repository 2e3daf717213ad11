package simulator

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
)

// Backendless simulates an app's REST API at /{AppID}/{APIKey}/ (or the
// root of a custom domain when both are empty): users/{id}/status and
// data/Users with where, pageSize and offset. Safe for concurrent use.
type Backendless struct {
	base
	AppID string
	// RateLimit200 answers rate-limited calls with HTTP 200 and code 999
	// (Backendless does this sometimes) instead of HTTP 429.
	RateLimit200 bool
}

// NewBackendless returns a started simulator.
func NewBackendless(appID, apiKey string, o Options) *Backendless {
	s := &Backendless{AppID: appID}
	s.init(o)
	s.cred = apiKey
	s.srv = httptest.NewServer(s)
	return s
}

// CodeRateLimit is Backendless' "request rate exhausted" code.
const CodeRateLimit = 999

func blError(w http.ResponseWriter, status, code int, msg string) {
	writeJSON(w, status, map[string]any{"code": code, "message": msg})
}

func (s *Backendless) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.EscapedPath()
	key := ""
	if s.AppID != "" {
		rest, ok := strings.CutPrefix(path, "/"+s.AppID+"/")
		if !ok {
			blError(w, http.StatusNotFound, 8002, "Application not found")
			return
		}
		key, rest, _ = strings.Cut(rest, "/")
		path = "/" + rest
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
	parts := strings.Split(strings.TrimPrefix(path, "/"), "/")
	switch {
	case r.Method == http.MethodPut && len(parts) == 3 && parts[0] == "users" && parts[2] == "status":
		s.status(w, r, parts[1])
	case r.Method == http.MethodGet && path == "/data/Users":
		s.query(w, r)
	default:
		blError(w, http.StatusNotFound, 8002, "no such route")
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
	exists, ch := s.setDisabled(id, body.UserStatus == "DISABLED")
	if !exists {
		blError(w, http.StatusNotFound, 1000, "Entity with the specified ID cannot be found")
		return
	}
	var changed []string
	if ch {
		changed = append(changed, id)
	}
	s.record("status", changed...)
	w.WriteHeader(http.StatusOK) // no response body
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
		if pred(row) {
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
