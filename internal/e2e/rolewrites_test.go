package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/revoke-dev/revoke/pkg/ledger"
)

// roleMethods are the ledger methods that write, by function, as its code
// calls them (TestRoleMethodsFromCode checks this against the source;
// ledger.Writes says what each method writes):
//   - api: requests through submit (Submit with an Idempotency-Key,
//     Intake for Okta and SCIM events: CreateRequest, MarkQueued, ClaimKey,
//     RecordUnresolved), SCIM users (create, replace, delete) and the SCIM
//     listing's bookmarks (SCIMUsers, on GET).
//   - consumer: outcomes, with their chain links for the audit lines
//     (AppendAttempts, also for a change recorded before its read-back,
//     whose heads the outcome's write reuses), the marks of an email target's other accounts
//     (PutMarks), drift (RecordDrift) and an on_drift: revoke
//     re-revocation through submit (Submit with its key), a listing's
//     state and accounts (SaveListing, PutListed).
//   - sweep: inactive-account requests (Submit without a key), the
//     backstop (Requeue: MarkQueued), re-drive outcomes (RecordAttempts)
//     directory snapshots (PutDirectoryUsers, PutSnapshotProgress,
//     PutSnapshotComplete), a listing started (SaveListing) and orphan
//     reports (PutOrphans, PublishOrphans).
//   - trigger: identity events through Intake, and the users it resolved
//     (PutDirectoryUsers).
var roleMethods = map[string][]string{
	"api":      {"CreateRequest", "MarkQueued", "ClaimKey", "RecordUnresolved", "CreateSCIMUser", "ReplaceSCIMUser", "DeleteSCIMUser", "SCIMUsers"},
	"consumer": {"AppendAttempts", "PutMarks", "RecordDrift", "CreateRequest", "MarkQueued", "ClaimKey", "SaveListing", "PutListed"},
	"sweep": {"CreateRequest", "MarkQueued", "RecordAttempts", "PutDirectoryUsers", "PutSnapshotProgress", "PutSnapshotComplete",
		"SaveListing", "PutOrphans", "PublishOrphans"},
	"trigger": {"CreateRequest", "MarkQueued", "ClaimKey", "RecordUnresolved", "PutDirectoryUsers"},
}

// dynamoReads are the DynamoDB actions that change nothing.
var dynamoReads = []string{"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"}

// grants lists "<action> <LeadingKeys pattern>" for a set of methods.
func grants(methods []string) []string {
	seen := map[string]bool{}
	table := ledger.Writes()
	for _, m := range methods {
		for _, a := range table[m] {
			for _, k := range a.Kinds {
				seen[a.Action+" "+k] = true
			}
		}
	}
	return sortedKeys(seen)
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestRoleWrites: over the transformed template, every DynamoDB write or
// delete a role allows, with the item kinds its dynamodb:LeadingKeys
// condition names ("*" when it names none), is exactly what the
// function's ledger calls write. Before, the API could delete and
// BatchWriteItem anywhere in the table, and the consumer's BatchWriteItem
// could delete or overwrite any request item.
func TestRoleWrites(t *testing.T) {
	tpl := resolveTemplate(t, directoryParams...)
	for fn, logical := range functions {
		t.Run(fn, func(t *testing.T) {
			got := map[string]bool{}
			for _, s := range tpl.rolePolicy(t, logical) {
				if s.Effect != "Allow" {
					continue
				}
				kinds := leadingKeys(s)
				for _, a := range strs(s.Action) {
					if !strings.HasPrefix(a, "dynamodb:") || slices.Contains(dynamoReads, a) {
						continue
					}
					for _, k := range kinds {
						got[a+" "+k] = true
					}
				}
			}
			want := grants(roleMethods[fn])
			if g := sortedKeys(got); !slices.Equal(g, want) {
				t.Errorf("%s's role allows\n  %v\nits code writes\n  %v", logical, g, want)
			}
		})
	}
}

// leadingKeys returns the patterns of a statement's
// ForAllValues:StringLike dynamodb:LeadingKeys condition, or "*" when it
// has none (the statement then covers every item).
func leadingKeys(s statement) []string {
	like, _ := s.Condition["ForAllValues:StringLike"].(map[string]any)
	if ks := strs(like["dynamodb:LeadingKeys"]); len(ks) > 0 {
		return ks
	}
	return []string{"*"}
}

// submitCalls are the Submitter's entry points and the ledger methods each
// reaches (pkg/submit: Submit claims its key only when it has one).
var submitCalls = map[string][]string{
	"Submit":     {"CreateRequest", "MarkQueued"},
	"Intake":     {"CreateRequest", "MarkQueued", "ClaimKey", "RecordUnresolved"},
	"Requeue":    {"MarkQueued"},
	"Unresolved": {"RecordUnresolved"},
}

var (
	ledgerCall  = regexp.MustCompile(`\bLedger\.([A-Z]\w*)\(`)
	submitCall  = regexp.MustCompile(`\bSubmit\.([A-Z]\w*)\(`)
	keyedSubmit = regexp.MustCompile(`\bKey:\s|\.Key(, \w+(\.\w+)?)* = `)
)

// TestRoleMethodsFromCode: the ledger writes each function's packages
// make, read from their source (every package of the module the function
// links, but the ledger's own), are those roleMethods lists; and what
// pkg/submit calls is covered by submitCalls.
func TestRoleMethodsFromCode(t *testing.T) {
	writes := ledger.Writes()
	for fn := range functions {
		t.Run(fn, func(t *testing.T) {
			found := map[string]bool{}
			for _, dir := range moduleDeps(t, "./functions/"+fn) {
				if strings.HasSuffix(dir, "/pkg/ledger") || strings.HasSuffix(dir, "/pkg/submit") {
					continue
				}
				for _, src := range sources(t, dir) {
					for _, m := range ledgerCall.FindAllStringSubmatch(src, -1) {
						if _, ok := writes[m[1]]; ok {
							found[m[1]] = true
						}
					}
					for _, m := range submitCall.FindAllStringSubmatch(src, -1) {
						for _, lm := range submitCalls[m[1]] {
							found[lm] = true
						}
						if m[1] == "Submit" && keyedSubmit.MatchString(src) {
							found["ClaimKey"] = true
						}
					}
				}
			}
			want := slices.Clone(roleMethods[fn])
			sort.Strings(want)
			if got := sortedKeys(found); !slices.Equal(got, want) {
				t.Errorf("the %s function's code writes with %v; roleMethods says %v", fn, got, want)
			}
		})
	}
	t.Run("submit", func(t *testing.T) {
		covered := map[string]bool{}
		for _, ms := range submitCalls {
			for _, m := range ms {
				covered[m] = true
			}
		}
		for _, src := range sources(t, "../../pkg/submit") {
			for _, m := range ledgerCall.FindAllStringSubmatch(src, -1) {
				if _, ok := writes[m[1]]; ok && !covered[m[1]] {
					t.Errorf("pkg/submit calls Ledger.%s, which submitCalls does not list", m[1])
				}
			}
		}
	})
}

// moduleDeps lists the directories of the module's packages pkg links.
func moduleDeps(t *testing.T, pkg string) []string {
	t.Helper()
	cmd := exec.Command("go", "list", "-deps", "-f", "{{if .Module}}{{if .Module.Main}}{{.Dir}}{{end}}{{end}}", pkg)
	cmd.Dir = "../.."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %s: %v", pkg, err)
	}
	return strings.Fields(string(out))
}

// sources returns the non-test Go files of a directory.
func sources(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(b))
	}
	return out
}

// roleOtherWrites are the writes outside the ledger each role is granted,
// "<action> <resource's logical id, or *>", and who makes each:
//   - api: submit's SendMessageBatch to the revoke queue (pkg/queue).
//   - consumer: the DLQ send of a permanent failure (pkg/consumer/dlq.go),
//     and the revoke queue: proof messages (a change's read-back), a
//     listing's next pages, an on_drift: revoke re-revocation;
//     ReceiveMessage and DeleteMessage are the SQS event source's, made by
//     Lambda's poller with this role (SAM's managed policy, Resource *).
//   - sweep: re-drive from the DLQ (pkg/sweep/redrive.go through
//     pkg/queue: receive, delete, visibility back for what it keeps) and
//     sends to the revoke queue (re-drives, inactive accounts, backstop).
//   - trigger: sends to the revoke queue (submit); sqs:SendMessage on
//     its on-failure queue is Lambda's destination, made with this role.
//
// logs:* (the runtime ships each function's output) is left out.
var roleOtherWrites = map[string][]string{
	"api":      {"sqs:SendMessage* RevokeQueue"},
	"consumer": {"sqs:DeleteMessage *", "sqs:ReceiveMessage *", "sqs:SendMessage* DeadLetterQueue", "sqs:SendMessage* RevokeQueue"},
	"sweep": {"sqs:ChangeMessageVisibility DeadLetterQueue", "sqs:DeleteMessage DeadLetterQueue", "sqs:ReceiveMessage DeadLetterQueue",
		"sqs:SendMessage* RevokeQueue"},
	"trigger": {"sqs:SendMessage TriggerFailureQueue", "sqs:SendMessage* RevokeQueue"},
}

// readOnly reports whether an IAM action changes nothing.
func readOnly(action string) bool {
	_, op, _ := strings.Cut(action, ":")
	for _, p := range []string{"Get", "BatchGet", "List", "Describe", "Query", "Scan"} {
		if strings.HasPrefix(op, p) {
			return true
		}
	}
	return false
}

// TestRoleOtherWrites: over the transformed template, every write a role
// is granted outside the ledger is one roleOtherWrites names (and says who
// makes it), and every one it names is granted. (Before: the trigger's
// role could also send to its on-failure queue with SendMessageBatch, a
// grant its code never uses.)
func TestRoleOtherWrites(t *testing.T) {
	tpl := resolveTemplate(t, directoryParams...)
	logical := map[string]string{} // ARN → logical id
	for id, r := range tpl.Resources {
		if arn := r.Physical["Arn"]; arn != "" {
			logical[arn] = id
		}
	}
	for fn, id := range functions {
		t.Run(fn, func(t *testing.T) {
			got := map[string]bool{}
			for _, s := range tpl.rolePolicy(t, id) {
				if s.Effect != "Allow" {
					continue
				}
				for _, a := range strs(s.Action) {
					if strings.HasPrefix(a, "dynamodb:") || strings.HasPrefix(a, "logs:") || readOnly(a) {
						continue
					}
					res := strs(s.Resource)
					if len(res) == 0 {
						res = []string{"*"}
					}
					for _, r := range res {
						if l, ok := logical[r]; ok {
							r = l
						}
						got[a+" "+r] = true
					}
				}
			}
			want := slices.Clone(roleOtherWrites[fn])
			sort.Strings(want)
			if g := sortedKeys(got); !slices.Equal(g, want) {
				t.Errorf("%s's role grants\n  %v\nroleOtherWrites says\n  %v", id, g, want)
			}
		})
	}
}

// lambdaUses are the actions Lambda itself takes with a function's role,
// on the function's behalf: its logs, the consumer's event source mapping
// polling the revoke queue (ReceiveMessage, DeleteMessage and
// ChangeMessageVisibility the code calls too), and the trigger's
// on-failure destination.
var lambdaUses = map[string][]string{
	"*":        {"logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"},
	"consumer": {"sqs:GetQueueAttributes"},
	"trigger":  {"sqs:SendMessage"},
}

// TestRoleActionsCalled: every action a role allows is an AWS operation
// that some package the function links calls (as `.Operation(`; an action
// ending in * as any operation it names), or one Lambda takes for it
// (lambdaUses). This is necessary, not sufficient: an action no linked
// code calls is never needed, so the role must not hold it. Before, the
// sweep could read the DLQ's attributes (sqs:GetQueueAttributes) and
// called nothing that does.
func TestRoleActionsCalled(t *testing.T) {
	tpl := resolveTemplate(t, directoryParams...)
	for fn, logical := range functions {
		t.Run(fn, func(t *testing.T) {
			var code strings.Builder
			for _, dir := range moduleDeps(t, "./functions/"+fn) {
				for _, src := range sources(t, dir) {
					code.WriteString(src)
				}
			}
			for _, s := range tpl.rolePolicy(t, logical) {
				if s.Effect != "Allow" {
					continue
				}
				for _, a := range strs(s.Action) {
					if slices.Contains(lambdaUses["*"], a) || slices.Contains(lambdaUses[fn], a) {
						continue
					}
					_, op, _ := strings.Cut(a, ":")
					pat := regexp.QuoteMeta(strings.TrimSuffix(op, "*"))
					if strings.HasSuffix(op, "*") {
						pat += `\w*`
					}
					if !regexp.MustCompile(`\.` + pat + `\(`).MatchString(code.String()) {
						t.Errorf("%s's role allows %s, which no package the %s function links calls", logical, a, fn)
					}
				}
			}
		})
	}
}
