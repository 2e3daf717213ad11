package simulator

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"time"
)

// JourneyApps simulates one deployment's Backend API v4 at
// /api/v4/{Deployment}, as documented: batch.json (an ill-formed batch —
// an unknown method, a lock without wipe — performs nothing and fails as a
// whole with 400; users/unlock is not a batch method), users/{id}/lock and
// unlock, users/{id} with sessions, users listing, and objects/user.json:
// the query, which is case-sensitive (an address stored as
// John.Smith@corp.com is not found by query[email]=john.smith@corp.com),
// and the listing of every object with limit and skip. A wrong deployment answers 404
// ACCOUNT_NOT_FOUND, a wrong route 404 ROUTE_ERROR. Safe for concurrent use.
type JourneyApps struct {
	base
	Deployment string
	// IgnoreQuery makes the objects query return every object (a server
	// that ignores an unknown query field: a wrong email_field).
	IgnoreQuery bool
}

// NewJourneyApps returns a started simulator.
func NewJourneyApps(token string, o Options) *JourneyApps {
	s := &JourneyApps{Deployment: "5e34a0cf07601117d334598c"}
	s.init(o)
	s.cred = token
	s.srv = httptest.NewServer(s)
	return s
}

// APIURL is the api_url a connection secret names.
func (s *JourneyApps) APIURL() string { return s.URL() + "/api/v4/" + s.Deployment }

// SecretFields implements Sim.
func (s *JourneyApps) SecretFields() map[string]any {
	return map[string]any{"api_url": s.APIURL(), "token": s.credential()}
}

func jaError(w http.ResponseWriter, status int, typ, title string) {
	writeJSON(w, status, map[string]string{"type": typ, "title": title, "detail": title, "see": "https://docs.journeyapps.com/reference/backend-api/api-reference/error-responses#" + typ})
}

func (s *JourneyApps) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	authorized := func() bool { return r.Header.Get("Authorization") == "Bearer "+s.credential() }
	if !s.gate(w, r, authorized, func(w http.ResponseWriter, status int) {
		switch status {
		case http.StatusTooManyRequests:
			jaError(w, status, "TOO_MANY_REQUESTS", "Too many requests")
		case http.StatusUnauthorized:
			jaError(w, status, "AUTHENTICATION_FAILED", "Authentication failed")
		default:
			jaError(w, status, "INTERNAL_SERVER_ERROR", "Oops! Something went wrong.")
		}
	}) {
		return
	}
	path := r.URL.EscapedPath()
	dep, ok := strings.CutPrefix(path, "/api/v4/")
	if !ok {
		jaError(w, http.StatusNotFound, "ROUTE_ERROR", "The combination of HTTP method and path is not valid.")
		return
	}
	id, rest, _ := strings.Cut(dep, "/")
	if id != s.Deployment {
		jaError(w, http.StatusNotFound, "ACCOUNT_NOT_FOUND", "The App Instance ID specified in the path could not be found.")
		return
	}
	parts := strings.Split(rest, "/")
	switch {
	case r.Method == http.MethodPost && rest == "batch.json":
		s.batch(w, r)
	case r.Method == http.MethodPost && len(parts) == 3 && parts[0] == "users" && (parts[2] == "lock" || parts[2] == "unlock"):
		s.single(w, r, parts[1], parts[2])
	case r.Method == http.MethodGet && rest == "users":
		s.list(w, r)
	case r.Method == http.MethodGet && len(parts) == 2 && parts[0] == "users":
		s.read(w, parts[1])
	case r.Method == http.MethodGet && len(parts) == 2 && parts[0] == "objects" && strings.HasSuffix(parts[1], ".json"):
		s.query(w, r, strings.TrimSuffix(parts[1], ".json"))
	default:
		jaError(w, http.StatusNotFound, "ROUTE_ERROR", "The combination of HTTP method and path is not valid.")
	}
}

type jaOp struct {
	Method string `json:"method"`
	UserID string `json:"user_id"`
	Wipe   *bool  `json:"wipe"`
}

// batch runs a batch.json request. It checks the whole batch first: a
// batch with any ill-formed operation performs nothing (400).
func (s *JourneyApps) batch(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Operations  []jaOp `json:"operations"`
		StopOnError bool   `json:"stop_on_error"`
	}
	if !isJSON(r) || readJSON(r, &req) != nil {
		jaError(w, http.StatusBadRequest, "INVALID_API_REQUEST", "body must be a JSON batch")
		return
	}
	if len(req.Operations) == 0 || len(req.Operations) > 1000 {
		jaError(w, http.StatusBadRequest, "INVALID_API_REQUEST", "a batch holds 1 to 1000 operations")
		return
	}
	for i, op := range req.Operations {
		if op.Method != "users/lock" || op.Wipe == nil || op.UserID == "" {
			jaError(w, http.StatusBadRequest, "INVALID_API_REQUEST", "operation "+strconv.Itoa(i)+" is not a valid operation (users/lock needs user_id and wipe)")
			return
		}
	}
	results := make([]map[string]any, 0, len(req.Operations))
	var changed []string
	for _, op := range req.Operations {
		res := map[string]any{"method": op.Method, "success": true}
		exists, ch := s.lock(op.UserID, *op.Wipe)
		if !exists {
			res["success"] = false
			res["error"] = map[string]string{"type": "OBJECT_NOT_FOUND", "title": "Object not found.", "detail": "No user found with ID: '" + op.UserID + "'"}
		} else if ch {
			changed = append(changed, op.UserID)
		}
		results = append(results, res)
		if req.StopOnError && res["success"] == false {
			break
		}
	}
	s.record("batch", changed...)
	writeJSON(w, http.StatusOK, map[string]any{"stop_on_error": req.StopOnError, "operations": results})
}

func (s *JourneyApps) lock(id string, wipe bool) (exists, changed bool) {
	return s.change(id, func(u *User) { u.Disabled, u.Wiped = true, wipe })
}

func (s *JourneyApps) single(w http.ResponseWriter, r *http.Request, id, verb string) {
	var body struct {
		Wipe *bool `json:"wipe"`
	}
	if verb == "lock" && (!isJSON(r) || readJSON(r, &body) != nil || body.Wipe == nil) {
		jaError(w, http.StatusBadRequest, "INVALID_API_REQUEST", "lock needs {\"wipe\": bool}")
		return
	}
	var exists, ch bool
	if verb == "lock" {
		exists, ch = s.lock(id, *body.Wipe)
	} else {
		exists, ch = s.change(id, func(u *User) { u.Disabled, u.Wiped = false, false })
	}
	if !exists {
		jaError(w, http.StatusNotFound, "OBJECT_NOT_FOUND", "No user found with ID: '"+id+"'")
		return
	}
	var changed []string
	if ch {
		changed = append(changed, id)
	}
	s.record(verb, changed...)
	u, _ := s.User(id)
	writeJSON(w, http.StatusOK, jaUser(u))
}

// jaUser renders a user as the users API does, with its sessions.
func jaUser(u User) map[string]any {
	var last any
	if !u.LastActive.IsZero() {
		last = u.LastActive.UTC().Format(time.RFC3339)
	}
	sessions := []any{}
	if u.Enrolled {
		state := "ENROLLED"
		switch {
		case u.Disabled && u.Wiped:
			state = "RESET"
		case u.Disabled:
			state = "LOCKED"
		}
		sessions = append(sessions, map[string]any{"id": "s-" + u.ID, "state": state})
	}
	o := map[string]any{"id": u.ID, "last_connected_at": last, "enrolled": u.Enrolled && !u.Disabled, "locked": u.Disabled, "sessions": sessions}
	if !u.Created.IsZero() {
		o["created_at"] = u.Created.UTC().Format(time.RFC3339)
	}
	return o
}

func (s *JourneyApps) read(w http.ResponseWriter, id string) {
	u, ok := s.User(id)
	if !ok {
		jaError(w, http.StatusNotFound, "OBJECT_NOT_FOUND", "No user found with ID: '"+id+"'")
		return
	}
	s.record("read")
	writeJSON(w, http.StatusOK, jaUser(u))
}

func (s *JourneyApps) list(w http.ResponseWriter, r *http.Request) {
	limit, err1 := strconv.Atoi(r.URL.Query().Get("limit"))
	skip, err2 := strconv.Atoi(r.URL.Query().Get("skip"))
	if err1 != nil || err2 != nil || limit < 1 || limit > 1000 || skip < 0 {
		jaError(w, http.StatusBadRequest, "INVALID_API_REQUEST", "limit (1-1000) and skip are required")
		return
	}
	all := s.Users()
	objs := []map[string]any{}
	for i := skip; i < len(all) && len(objs) < limit; i++ {
		objs = append(objs, jaUser(all[i]))
	}
	s.record("list")
	writeJSON(w, http.StatusOK, map[string]any{"total": len(all), "count": len(objs), "more": skip+len(objs) < len(all), "objects": objs})
}

// query serves GET objects/user.json: with query[email]=… the documented
// query (case-sensitive, as JourneyApps' is), without a query
// "Retrieve All Objects"; both answer up to limit (at most 1000, the
// default) objects from skip, with total, count and more.
func (s *JourneyApps) query(w http.ResponseWriter, r *http.Request, model string) {
	if model != "user" {
		jaError(w, http.StatusNotFound, "ROUTE_ERROR", "no model "+model)
		return
	}
	q := r.URL.Query()
	limit, skip := 1000, 0
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			jaError(w, http.StatusBadRequest, "INVALID_API_REQUEST", "limit must be a non-negative integer")
			return
		}
		limit = min(n, 1000)
	}
	if v := q.Get("skip"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			jaError(w, http.StatusBadRequest, "INVALID_API_REQUEST", "skip must be a non-negative integer")
			return
		}
		skip = n
	}
	queried := false
	for k := range q {
		queried = queried || strings.HasPrefix(k, "query[")
	}
	var match []User
	for _, u := range s.Users() {
		if !queried || s.IgnoreQuery || (q.Has("query[email]") && u.Email == q.Get("query[email]")) {
			match = append(match, u)
		}
	}
	objs := []map[string]any{}
	for i := skip; i < len(match) && len(objs) < limit; i++ {
		objs = append(objs, map[string]any{"id": match[i].ID, "type": "user", "email": match[i].Email, "display": match[i].Email})
	}
	if queried {
		s.record("lookup")
	} else {
		s.record("objects")
	}
	writeJSON(w, http.StatusOK, map[string]any{"objects": objs, "total": len(match), "count": len(objs), "more": skip+len(objs) < len(match)})
}
