package trigger

import "testing"

// An Auth0 log whose user_name carries a Unicode bidirectional control is
// never taken as an address: the person is unresolved, by user id.
// (Before: CheckEmail let bidi controls through.)
func TestAuth0BidiNameIsUnresolved(t *testing.T) {
	detail := []byte(`{"type":"sdu","log_id":"90020240101","user_id":"auth0|1","user_name":"evil\u202egro.elpmaxe@example.com"}`)
	ev, err := parseAuth0(detail, Options{Auth0LogTypes: []string{"sdu"}})
	if err != nil || len(ev.Emails) != 0 || len(ev.Unresolved) != 1 || ev.Unresolved[0] != "auth0|1" {
		t.Fatalf("%+v %v", ev, err)
	}
}
