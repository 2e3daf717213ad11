package e2e

import (
	"strings"
	"testing"
)

// TestTriggerFailureQueuePolicy: the on-failure queue, whose payloads
// revokectl replay re-sends to the trigger, accepts messages only from
// the trigger's role and from Lambda on the trigger's behalf; a Deny
// refuses every other principal whatever its identity policy (before: the
// queue had no policy, and anyone the account allowed could plant events).
func TestTriggerFailureQueuePolicy(t *testing.T) {
	tpl := loadTemplate(t)
	res := m(tpl, "Resources").(map[string]any)
	var policy any
	for _, r := range res {
		if m(r, "Type") == "AWS::SQS::QueuePolicy" && strings.Contains(jsonOf(m(r, "Properties", "Queues")), `"TriggerFailureQueue"`) {
			policy = m(r, "Properties", "PolicyDocument")
		}
	}
	if policy == nil {
		t.Fatal("TriggerFailureQueue has no queue policy")
	}
	role := `{"Fn::GetAtt":["TriggerFunctionRole","Arn"]}`
	var allowRole, allowLambda, deny bool
	for _, st := range m(policy, "Statement").([]any) {
		if m(st, "Action") != "sqs:SendMessage" {
			t.Errorf("a statement grants %v", m(st, "Action"))
		}
		switch {
		case m(st, "Effect") == "Allow" && jsonOf(m(st, "Principal", "AWS")) == role:
			allowRole = true
		case m(st, "Effect") == "Allow" && m(st, "Principal", "Service") == "lambda.amazonaws.com":
			allowLambda = jsonOf(m(st, "Condition", "ArnEquals", "aws:SourceArn")) == `{"Fn::GetAtt":["TriggerFunction","Arn"]}`
		case m(st, "Effect") == "Deny" && m(st, "Principal") == "*":
			deny = jsonOf(m(st, "Condition", "ArnNotEquals", "aws:PrincipalArn")) == role && m(st, "Condition", "Null", "aws:PrincipalArn") == "false"
		default:
			t.Errorf("unexpected statement %s", jsonOf(st))
		}
	}
	if !allowRole || !allowLambda || !deny {
		t.Fatalf("role %v, lambda for the trigger %v, deny to every other principal %v: %s", allowRole, allowLambda, deny, jsonOf(policy))
	}
}
