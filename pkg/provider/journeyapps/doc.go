// Package journeyapps revokes access on a JourneyApps deployment through
// the Backend API v4: users/lock (with wipe) and users/unlock operations in
// batch.json requests of up to 1000, look-up by email through the objects
// API, and paged user listing for the sweep.
package journeyapps
