// Package trigger turns identity events delivered by Amazon EventBridge
// into revoke requests (docs/design.md §1b), so a company needs no public
// webhook: Okta and Auth0 log streams on partner event buses, and IAM
// Identity Center and Cognito API calls through CloudTrail.
//
// An event is trusted only from where it can come: a CloudTrail event
// with its service's own aws.* source and this account's id, a partner
// event from the Okta or Auth0 partner source. One small parser per source
// reads an event into an Event (the people it names, or the directory
// user to resolve, and a dedupe key); Handler resolves directory users to
// the addresses the directory vouches for (live, else from the sweep's
// snapshot) and hands the event to submit.Intake, the one intake the Okta
// hook and the SCIM front door use too.
package trigger
