package trigger

import (
	"errors"
	"testing"
)

// An Okta or Auth0 event counts only from the configured partner event
// source (the partner bus's name, OKTA_EVENT_SOURCE / AUTH0_EVENT_SOURCE):
// one from another source of the same partner, replayed or invoked
// directly, is ignored; with none configured any source of the partner's
// prefix is read. (Before: any aws.partner/okta.com/… or
// aws.partner/auth0.com/… source was read whatever the configuration.)
func TestConfiguredPartnerSource(t *testing.T) {
	const (
		oktaSource  = "aws.partner/okta.com/00o1example/revoke-log-stream"
		auth0Source = "aws.partner/auth0.com/example-tenant-2b6f1c9e-8d3a-4f5b-9c7e-1a2b3c4d5e6f/auth0.logs"
	)
	for _, tc := range []struct {
		name, sample, source string
		configured           func(*Options)
		ignored              bool
	}{
		{"okta, the configured source", "trigger-okta-deactivate.json", oktaSource, func(o *Options) { o.OktaSource = oktaSource }, false},
		{"okta, another org's source", "trigger-okta-deactivate.json", "aws.partner/okta.com/00o2attacker/stream", func(o *Options) { o.OktaSource = oktaSource }, true},
		{"okta, none configured", "trigger-okta-deactivate.json", "aws.partner/okta.com/00o2attacker/stream", func(*Options) {}, false},
		{"auth0, the configured source", "trigger-auth0-sdu.json", auth0Source, func(o *Options) { o.Auth0Source = auth0Source }, false},
		{"auth0, another tenant's source", "trigger-auth0-sdu.json", "aws.partner/auth0.com/other-tenant/auth0.logs", func(o *Options) { o.Auth0Source = auth0Source }, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ev := sample(t, tc.sample)
			ev.Source = tc.source
			o := opts
			tc.configured(&o)
			_, err := Parse(ev, o)
			var ig *Ignored
			if got := errors.As(err, &ig); got != tc.ignored {
				t.Fatalf("ignored %v, want %v (%v)", got, tc.ignored, err)
			}
		})
	}
}
