package config

import "testing"

// TestAllowedEmailDomains: ALLOWED_EMAIL_DOMAINS is read into the one
// allow-list the trigger, the SCIM front door and the snapshot consult.
func TestAllowedEmailDomains(t *testing.T) {
	c, err := Load(env(map[string]string{"ALLOWED_EMAIL_DOMAINS": "Corp.Example, eu.corp.example"}))
	if err != nil {
		t.Fatal(err)
	}
	if !c.AllowedEmailDomains.Set() || !c.AllowedEmailDomains.Allows("a@corp.example") || c.AllowedEmailDomains.Allows("ceo@gmail.com") {
		t.Fatalf("%v", c.AllowedEmailDomains)
	}
}
