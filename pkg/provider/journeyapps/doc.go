// Package journeyapps revokes access on a JourneyApps deployment through
// the Backend API v4: users/lock operations (with wipe) in batch.json
// requests of up to 1000, an ill-formed batch split until the bad operation
// is isolated (and that one sent with the documented single-user call),
// unlock with the documented POST users/{id}/unlock, look-up by email
// through the objects API (asked as given and lower-cased, every returned
// object's email field checked; the addresses neither finds, which may be
// stored in another case, looked for in one pass over the user model's
// listing per call, bounded by MaxScanObjects), read-back of users and their sessions, and
// paged user listing for the sweep.
package journeyapps
