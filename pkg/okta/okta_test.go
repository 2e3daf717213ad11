package okta

import (
	"strings"
	"testing"
)

func TestSelect(t *testing.T) {
	d, err := Parse([]byte(`{"data":{"events":[
	  {"uuid":"1","eventType":"user.lifecycle.deactivate","target":[{"id":"a","type":"User","alternateId":"a@example.com"},{"id":"g","type":"Group","alternateId":"x@example.com"}]},
	  {"uuid":"2","eventType":"user.lifecycle.suspend","target":[{"id":"b","type":"User","alternateId":"not-an-email"},{"id":"a","type":"User","alternateId":"a@example.com"}]},
	  {"uuid":"3","eventType":"user.session.start","target":[{"id":"c","type":"User","alternateId":"c@example.com"}]}]}}`))
	if err != nil {
		t.Fatal(err)
	}
	s := d.Select([]string{"user.lifecycle.deactivate", "user.lifecycle.suspend"})
	if strings.Join(s.Emails, ",") != "a@example.com" || s.Events != 2 || s.Ignored != 1 || len(s.Skipped) != 1 {
		t.Fatalf("%+v", s)
	}
}

func TestParseRejects(t *testing.T) {
	for _, b := range []string{``, `[]`, `{}`, `{"data":null}`, `{"data":{"events":null}}`, `{"data":{"events":"x"}}`, `{"data":{"events":[1]}}`,
		`{"data":{"events":[{"target":[{"alternateId":5}]}]}}`} {
		if _, err := Parse([]byte(b)); err == nil {
			t.Errorf("%s accepted", b)
		}
	}
	many := `{"data":{"events":[` + strings.Repeat(`{},`, MaxEvents) + `{}]}}`
	if _, err := Parse([]byte(many)); err == nil {
		t.Error("too many events accepted")
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"data":{"events":[{"uuid":"1","eventType":"user.lifecycle.deactivate","target":[{"type":"User","alternateId":"a@example.com"}]}]}}`))
	f.Add([]byte(`{"data":{"events":[]}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := Parse(b)
		if err != nil {
			return
		}
		s := d.Select([]string{"user.lifecycle.deactivate"})
		if s.Events+s.Ignored != len(d.Data.Events) {
			t.Fatal("events miscounted")
		}
		for _, e := range s.Emails {
			if strings.ContainsAny(e, " \r\n\"<>") {
				t.Fatalf("unsafe email selected: %q", e)
			}
		}
	})
}
