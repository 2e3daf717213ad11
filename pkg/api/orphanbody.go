package api

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/request"
)

// orphansRevoke is a POST /orphans/revoke body.
type orphansRevoke struct {
	Connection string `json:"connection"`
	Reason     string `json:"reason"`
	DryRun     bool   `json:"dry_run"`
}

// parseOrphansRevoke reads a POST /orphans/revoke body strictly: one JSON
// object, no unknown fields, a connection name and a reason that may reach
// a log. The error names the field.
func parseOrphansRevoke(b []byte) (orphansRevoke, error) {
	var o orphansRevoke
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&o); err != nil {
		return o, &request.Error{Message: "body must be one JSON object with connection, reason and dry_run"}
	}
	if dec.More() {
		return o, &request.Error{Message: "trailing data after the JSON object"}
	}
	if err := message.CheckConnectionName(o.Connection); err != nil {
		return o, &request.Error{Field: "connection", Message: "is required: a configured connection's name"}
	}
	if len([]rune(o.Reason)) > request.MaxReasonLen {
		return o, &request.Error{Field: "reason", Message: fmt.Sprintf("at most %d characters", request.MaxReasonLen)}
	}
	if err := message.CheckText(o.Reason); err != nil {
		return o, &request.Error{Field: "reason", Message: err.Error()}
	}
	return o, nil
}
