package trigger

import "testing"

// An Auth0 log whose user_name carries a Unicode bidirectional control is
// never taken as an address: the person is left without one, by user id,
// and the intake records them unresolved.
func TestAuth0BidiNameIsNoAddress(t *testing.T) {
	detail := []byte(`{"type":"sdu","log_id":"90020240101","user_id":"auth0|1","user_name":"evil\u202egro.elpmaxe@example.com","strategy_type":"enterprise"}`)
	ev, err := parseAuth0(detail, Options{Auth0LogTypes: []string{"sdu"}})
	if err != nil || len(ev.People) != 1 || ev.People[0].ID != "auth0|1" || len(ev.People[0].Emails) != 0 {
		t.Fatalf("%+v %v", ev, err)
	}
}
