"""Deliveries that fail silently when a permission is missing: AWS accepts
the stack, and the events are dropped at run time. Each check names the
resource and property that need the permission."""

import fnmatch

import sam


def _list(v):
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def _action_match(patterns, action):
    """IAM action names are case-insensitive; * and ? are wildcards."""
    return any(fnmatch.fnmatchcase(action.lower(), p.lower()) for p in _list(patterns))


def _resource_match(patterns, arn):
    return any(fnmatch.fnmatchcase(arn, p) for p in _list(patterns))


def allows(statements, action, resource):
    """Whether the statements allow action on resource (Deny wins;
    conditions are taken as met)."""
    allowed = False
    for st in statements:
        if not _action_match(st.get("Action"), action) or not _resource_match(st.get("Resource"), resource):
            continue
        if st.get("Effect") == "Deny":
            return False
        allowed = True
    return allowed


def role_statements(resources, role_arn):
    for res in resources.values():
        if res["Type"] == "AWS::IAM::Role" and res["Physical"].get("Arn") == role_arn:
            out = []
            for pol in res["Properties"].get("Policies", []):
                out += _list(pol["PolicyDocument"].get("Statement"))
            for arn in res["Properties"].get("ManagedPolicyArns", []):
                out += sam.MANAGED_POLICY_DOCUMENTS.get(arn, {}).get("Statement", [])
            return out
    return []


def check(resources):
    problems = []
    functions = {r["Physical"]["Ref"]: (k, r) for k, r in resources.items() if r["Type"] == "AWS::Lambda::Function"}
    arns = {r["Physical"].get("Arn"): (k, r) for k, r in resources.items()}
    permissions = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::Lambda::Permission"]

    def fn_of(name_or_arn):
        if name_or_arn in functions:
            return functions[name_or_arn]
        hit = arns.get(name_or_arn)
        return hit if hit and hit[1]["Type"] == "AWS::Lambda::Function" else None

    for logical, res in resources.items():
        p = res["Properties"]
        if res["Type"] == "AWS::Lambda::EventInvokeConfig":
            dest = p.get("DestinationConfig", {}).get("OnFailure", {}).get("Destination", "")
            fn = fn_of(p.get("FunctionName"))
            if fn and ":sqs:" in dest and not allows(role_statements(resources, fn[1]["Properties"]["Role"]), "sqs:SendMessage", dest):
                problems.append(f"{logical}.DestinationConfig.OnFailure: {fn[0]}'s role may not sqs:SendMessage to {dest}")
        if res["Type"] == "AWS::Lambda::EventSourceMapping" and ":sqs:" in p.get("EventSourceArn", ""):
            fn = fn_of(p.get("FunctionName"))
            stmts = role_statements(resources, fn[1]["Properties"]["Role"]) if fn else []
            for action in ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"):
                if fn and not allows(stmts, action, p["EventSourceArn"]):
                    problems.append(f"{logical}.EventSourceArn: {fn[0]}'s role may not {action} on the queue")
        if res["Type"] == "AWS::Events::Rule":
            for i, tg in enumerate(p.get("Targets", [])):
                fn = fn_of(tg.get("Arn"))
                if fn and not any(fn_of(perm.get("FunctionName")) == fn and perm.get("Principal") == "events.amazonaws.com"
                                  and perm.get("SourceArn") in (None, res["Physical"]["Arn"]) for perm in permissions):
                    problems.append(f"{logical}.Targets[{i}]: no AWS::Lambda::Permission lets this rule invoke {fn[0]}")
                dlq = tg.get("DeadLetterConfig", {}).get("Arn")
                if dlq and not _queue_policy_allows(resources, dlq, "events.amazonaws.com", res["Physical"]["Arn"]):
                    problems.append(f"{logical}.Targets[{i}].DeadLetterConfig: no queue policy lets EventBridge send to {dlq}")
        if res["Type"] == "AWS::ApiGatewayV2::Integration" and fn_of(p.get("IntegrationUri")):
            fn = fn_of(p["IntegrationUri"])
            if not any(fn_of(perm.get("FunctionName")) == fn and perm.get("Principal") == "apigateway.amazonaws.com" for perm in permissions):
                problems.append(f"{logical}.IntegrationUri: no AWS::Lambda::Permission lets API Gateway invoke {fn[0]}")
    return problems


def _queue_policy_allows(resources, queue_arn, service, source_arn):
    for res in resources.values():
        if res["Type"] != "AWS::SQS::QueuePolicy":
            continue
        for st in _list(res["Properties"]["PolicyDocument"].get("Statement")):
            principal = st.get("Principal", {})
            services = _list(principal.get("Service")) if isinstance(principal, dict) else []
            if st.get("Effect") != "Allow" or service not in services:
                continue
            if not _action_match(st.get("Action"), "sqs:SendMessage") or not _resource_match(st.get("Resource"), queue_arn):
                continue
            like = st.get("Condition", {}).get("ArnLike", {}).get("aws:SourceArn") or st.get("Condition", {}).get("ArnEquals", {}).get("aws:SourceArn")
            if like is None or _resource_match(like, source_arn):
                return True
    return False
