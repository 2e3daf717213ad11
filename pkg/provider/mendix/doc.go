// Package mendix deactivates Mendix platform users with the User
// Deactivation API (PATCH /v1/platform-users/{uuid} {"active": false},
// authenticated with "MxToken <PAT>") and finds their UUIDs by email with
// the User Identifiers API, several emails per call. Mendix cannot
// re-activate a user through this API: restore is unsupported.
package mendix
