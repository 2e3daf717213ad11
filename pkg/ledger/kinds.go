package ledger

// Who may write what (docs/design.md §7, §8). Each kind of item lives
// under its own partition-key prefix, so IAM's dynamodb:LeadingKeys can
// limit a role to the kinds its function writes. Writes tells, for every
// Ledger method that writes, the DynamoDB actions it needs and on which
// prefixes, as IAM sees them: a transaction's puts and deletes are
// authorised as dynamodb:PutItem and dynamodb:DeleteItem item by item, and
// no method uses BatchWriteItem (whose grant would allow deletes too).
//
// To add a kind or a writer: add its prefix here and its method to
// Writes, then the method's function to the role table of
// internal/e2e's TestRoleWrites and the LeadingKeys of that function's
// role in template.yaml. TestWrites checks this table against what each
// method does; TestRoleWrites checks the template against the code.

// LeadingKeys patterns (IAM StringLike) of the item kinds.
const (
	KindRequest    = pkRequest + "*"   // requests, targets, attempts, chain heads
	KindKey        = pkKey + "*"       // idempotency and event keys
	KindUnresolved = pkUnresolved      // unresolved people
	KindDirectory  = pkDirectory + "*" // directory snapshots
	KindSCIMUser   = pkSCIMUser + "*"  // SCIM users
	KindSCIMName   = pkSCIMName + "*"  // SCIM userName uniqueness items
	KindSCIMEmail  = pkSCIMEmail + "*" // SCIM email index items
	KindSCIMPage   = pkSCIMPage + "*"  // SCIM listing bookmarks
	KindSCIMRoster = pkSCIMRoster      // the SCIM users the orphan check compares
	KindMark       = pkMarks + "*"     // accounts revoked or restored for good
	KindDrift      = pkDrift           // drift sightings
	KindListing    = pkListing + "*"   // a provider listing's state
	KindListed     = pkListed + "*"    // the accounts a listing read
	KindOrphans    = pkOrphans + "*"   // orphan reports
	KindExcept     = pkExcept + "*"    // accounts excepted from orphans
)

// Access is one IAM action on some item kinds.
type Access struct {
	Action string   // "dynamodb:PutItem", "dynamodb:DeleteItem"
	Kinds  []string // LeadingKeys patterns
}

// IAM actions the ledger writes with.
const (
	ActionPut    = "dynamodb:PutItem"
	ActionDelete = "dynamodb:DeleteItem"
)

// Writes returns, for each Ledger method that writes, what it writes.
func Writes() map[string][]Access {
	put := func(kinds ...string) Access { return Access{Action: ActionPut, Kinds: kinds} }
	del := func(kinds ...string) Access { return Access{Action: ActionDelete, Kinds: kinds} }
	return map[string][]Access{
		"CreateRequest":       {put(KindRequest)},
		"MarkQueued":          {put(KindRequest)},
		"RecordAttempts":      {put(KindRequest)}, // only if absent; heads only if unchanged
		"AppendAttempts":      {put(KindRequest)}, // RecordAttempts, with the links
		"ClaimKey":            {put(KindKey)},
		"RecordUnresolved":    {put(KindUnresolved)},
		"PutDirectoryUsers":   {put(KindDirectory)},
		"CreateSCIMUser":      {put(KindSCIMUser, KindSCIMName, KindSCIMEmail, KindSCIMRoster)},
		"ReplaceSCIMUser":     {put(KindSCIMUser, KindSCIMName, KindSCIMEmail, KindSCIMRoster), del(KindSCIMName, KindSCIMEmail)},
		"DeleteSCIMUser":      {del(KindSCIMUser, KindSCIMName, KindSCIMEmail, KindSCIMRoster)},
		"SCIMUsers":           {put(KindSCIMPage)}, // the listing's bookmarks, on GET
		"PutSnapshotComplete": {put(KindDirectory)},
		"PutSnapshotProgress": {put(KindDirectory)},
		"PutMarks":            {put(KindMark)},
		"RecordDrift":         {put(KindDrift, KindRequest, KindKey)}, // the sighting, its attempt chained, the run's claim of it
		"SaveListing":         {put(KindListing)},
		"PutListed":           {put(KindListed)},
		"PutOrphans":          {put(KindOrphans)},
		"PublishOrphans":      {put(KindOrphans)},
		"PutException":        {put(KindExcept)},
		"DeleteException":     {del(KindExcept)},
	}
}
