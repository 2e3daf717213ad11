package trigger

import (
	"strings"

	"github.com/revoke-dev/revoke/pkg/directory"
	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/submit"
)

// CloudTrail events revoke follows: event source → names.
var followed = map[string]map[string]bool{
	"sso-directory.amazonaws.com": {"DisableUser": true, "DeleteUser": true},
	"identitystore.amazonaws.com": {"DeleteUser": true},
	"cognito-idp.amazonaws.com":   {"AdminDisableUser": true, "AdminDeleteUser": true},
}

// parseCloudTrail reads an "AWS API Call via CloudTrail" event of IAM
// Identity Center or Cognito. A call that failed (errorCode), of another
// kind, or on a store or pool not in DIRECTORY_SOURCES changes nothing.
// The event's own source must be the service's: "aws.sso-directory" for
// sso-directory.amazonaws.com.
func parseCloudTrail(source string, detail []byte, o Options) (*Event, error) {
	d, err := object(detail, "cloudtrail: detail")
	if err != nil {
		return nil, ignore(err.Error())
	}
	src, name := text(d, "eventSource"), text(d, "eventName")
	if !followed[src][name] {
		return nil, ignore("cloudtrail: not a followed call")
	}
	if source != "aws."+strings.TrimSuffix(src, ".amazonaws.com") {
		return nil, ignore("cloudtrail: the event's source does not match its eventSource")
	}
	if code, ok := d["errorCode"]; ok && string(code) != "null" && string(code) != `""` {
		return nil, ignore("cloudtrail: the call failed (errorCode)")
	}
	eventID, ok := safeID(text(d, "eventID"))
	if !ok {
		return nil, ignore("cloudtrail: no eventID")
	}
	params, err := object(d["requestParameters"], "cloudtrail: requestParameters")
	if err != nil {
		return nil, ignore(err.Error())
	}
	ev := &Event{Key: "cloudtrail:" + eventID, Type: name, EventID: eventID}
	var dirType, dirID, userID string
	if src == "cognito-idp.amazonaws.com" {
		ev.Source, dirType, dirID = message.SourceCognito, directory.Cognito, text(params, "userPoolId")
		// CloudTrail masks the username; the sub names the user.
		if extra, err := object(d["additionalEventData"], "cloudtrail: additionalEventData"); err == nil {
			userID = text(extra, "sub")
		}
	} else {
		ev.Source, dirType, dirID, userID = message.SourceIdentityCenter, directory.IdentityStore, text(params, "identityStoreId"), text(params, "userId")
	}
	dir, ok := matchDirectory(o.Directories, dirType, dirID)
	if !ok {
		return nil, ignore("cloudtrail: " + dirType + " not in DIRECTORY_SOURCES")
	}
	ev.Dir = &dir
	if ev.UserID, ok = safeID(userID); !ok {
		// A followed call on a followed directory names someone revoke
		// cannot look up: recorded, never silently dropped.
		ev.People = []submit.Person{{ID: "?", Why: "the event names no usable user id"}}
	}
	return ev, nil
}

func matchDirectory(dirs []directory.Source, typ, id string) (directory.Source, bool) {
	for _, d := range dirs {
		if d.Type == typ && d.ID == id {
			return d, true
		}
	}
	return directory.Source{}, false
}
