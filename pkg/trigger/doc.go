// Package trigger turns identity events delivered by Amazon EventBridge
// into revoke requests (DESIGN.md §1b), so a company needs no public
// webhook: Okta and Auth0 log streams on partner event buses, and IAM
// Identity Center and Cognito API calls through CloudTrail.
//
// One small parser per source reads an event into an Event (the people it
// names, or the directory user to resolve, and a dedupe key); Handler
// resolves directory users (live, else from the sweep's snapshot) and makes
// one request per event through the same path POST /revocations uses.
package trigger
