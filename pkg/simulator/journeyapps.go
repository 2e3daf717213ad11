package simulator

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"time"
)

// JourneyApps simulates one deployment's Backend API v4 at
// /api/v4/{Deployment}: batch.json, users/{id}/lock|unlock, users listing
// and the objects query. Safe for concurrent use.
type JourneyApps struct {
	base
	Deployment string
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

func jaError(w http.ResponseWriter, status int, typ, title string) {
	writeJSON(w, status, map[string]string{"type": typ, "title": title, "detail": title, "see": "https://docs.journeyapps.com/"})
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
			jaError(w, status, "INTERNAL_ERROR", "internal error")
		}
	}) {
		return
	}
	rest, ok := strings.CutPrefix(r.URL.EscapedPath(), "/api/v4/"+s.Deployment+"/")
	if !ok {
		jaError(w, http.StatusNotFound, "OBJECT_NOT_FOUND", "no such deployment")
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
	case r.Method == http.MethodGet && len(parts) == 2 && parts[0] == "objects" && strings.HasSuffix(parts[1], ".json"):
		s.query(w, r)
	default:
		jaError(w, http.StatusNotFound, "OBJECT_NOT_FOUND", "no such route")
	}
}

type jaOp struct {
	Method string `json:"method"`
	UserID string `json:"user_id"`
	Wipe   *bool  `json:"wipe"`
}

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
	results := make([]map[string]any, 0, len(req.Operations))
	var changed []string
ops:
	for _, op := range req.Operations {
		res := map[string]any{"method": op.Method, "success": true}
		var disable bool
		switch {
		case op.Method == "users/lock" && op.Wipe != nil:
			disable = true
		case op.Method == "users/unlock" && op.Wipe == nil:
		default:
			res["success"] = false
			res["error"] = map[string]string{"type": "INVALID_API_REQUEST", "title": "invalid operation", "detail": "users/lock needs wipe; users/unlock takes none"}
			results = append(results, res)
			if req.StopOnError {
				break ops
			}
			continue
		}
		exists, ch := s.setDisabled(op.UserID, disable)
		if !exists {
			res["success"] = false
			res["error"] = map[string]string{"type": "OBJECT_NOT_FOUND", "title": "user not found", "detail": "no user " + op.UserID}
		} else if ch {
			changed = append(changed, op.UserID)
		}
		results = append(results, res)
		if req.StopOnError && res["success"] == false {
			break
		}
	}
	s.record("batch", changed...)
	writeJSON(w, http.StatusOK, map[string]any{"operations": results})
}

func (s *JourneyApps) single(w http.ResponseWriter, r *http.Request, id, verb string) {
	var body struct {
		Wipe *bool `json:"wipe"`
	}
	if verb == "lock" && (!isJSON(r) || readJSON(r, &body) != nil || body.Wipe == nil) {
		jaError(w, http.StatusBadRequest, "INVALID_API_REQUEST", "lock needs {\"wipe\": bool}")
		return
	}
	exists, ch := s.setDisabled(id, verb == "lock")
	if !exists {
		jaError(w, http.StatusNotFound, "OBJECT_NOT_FOUND", "user not found")
		return
	}
	var changed []string
	if ch {
		changed = append(changed, id)
	}
	s.record(verb, changed...)
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "locked": verb == "lock"})
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
		u := all[i]
		var last any
		if !u.LastActive.IsZero() {
			last = u.LastActive.UTC().Format(time.RFC3339)
		}
		o := map[string]any{"id": u.ID, "last_connected_at": last, "enrolled": true, "locked": u.Disabled, "sessions": []any{}}
		if !u.Created.IsZero() {
			o["created_at"] = u.Created.UTC().Format(time.RFC3339)
		}
		objs = append(objs, o)
	}
	s.record("list")
	writeJSON(w, http.StatusOK, map[string]any{"total": len(all), "count": len(objs), "more": skip+len(objs) < len(all), "objects": objs})
}

func (s *JourneyApps) query(w http.ResponseWriter, r *http.Request) {
	email := r.URL.Query().Get("query[email]")
	objs := []map[string]any{}
	if email != "" {
		for _, u := range s.byEmail(email, false) { // JourneyApps' query is case-sensitive
			objs = append(objs, map[string]any{"id": u.ID, "email": u.Email})
		}
	}
	s.record("lookup")
	writeJSON(w, http.StatusOK, map[string]any{"objects": objs, "total": len(objs), "count": len(objs), "more": false})
}
