"""Every IAM action names an operation of its service's API model, or is on
the short list of actions IAM knows that are not API operations."""

import fnmatch

import shapes

# IAM prefix -> botocore service, where the names differ (None: botocore
# has no model, so an action of that prefix is reported, not passed).
SERVICE_OF_PREFIX = {"sso-directory": None}

# Actions that authorise something other than a same-named operation.
IAM_ONLY = {
    # Authorises a ConditionCheck item inside TransactWriteItems.
    "dynamodb:ConditionCheckItem",
    # Authorises the Invoke operation (and InvokeAsync).
    "lambda:InvokeFunction",
}


# Condition keys (IAM User Guide, "AWS global condition context keys";
# Service Authorization Reference, "Amazon DynamoDB"). A misspelt key is
# silently absent from every request: an Allow on it never applies, and a
# Deny with a negated operator applies to everyone. Keys of services not
# listed here are not checked. Keys ending in "/" take a tag or path
# name after it.
GLOBAL_KEYS = {
    "aws:CalledVia", "aws:CalledViaFirst", "aws:CalledViaLast", "aws:CurrentTime", "aws:EpochTime",
    "aws:FederatedProvider", "aws:MultiFactorAuthAge", "aws:MultiFactorAuthPresent", "aws:PrincipalAccount",
    "aws:PrincipalArn", "aws:PrincipalIsAWSService", "aws:PrincipalOrgID", "aws:PrincipalOrgPaths",
    "aws:PrincipalServiceName", "aws:PrincipalServiceNamesList", "aws:PrincipalType", "aws:Referer",
    "aws:RequestedRegion", "aws:ResourceAccount", "aws:ResourceOrgID", "aws:ResourceOrgPaths",
    "aws:SecureTransport", "aws:SourceAccount", "aws:SourceArn", "aws:SourceIdentity", "aws:SourceIp",
    "aws:SourceOrgID", "aws:SourceOrgPaths", "aws:SourceVpc", "aws:SourceVpce", "aws:TagKeys",
    "aws:TokenIssueTime", "aws:UserAgent", "aws:userid", "aws:username", "aws:ViaAWSService", "aws:VpcSourceIp",
    "aws:Ec2InstanceSourceVpc", "aws:Ec2InstanceSourcePrivateIPv4",
    "aws:PrincipalTag/", "aws:RequestTag/", "aws:ResourceTag/",
}
SERVICE_KEYS = {
    "dynamodb": {"dynamodb:Attributes", "dynamodb:EnclosingOperation", "dynamodb:FullTableScan",
                 "dynamodb:FirstPartitionKeyValues", "dynamodb:LeadingKeys", "dynamodb:ReturnConsumedCapacity",
                 "dynamodb:ReturnValues", "dynamodb:Select"},
}


def check_condition_keys(st):
    """Problems of a statement's condition keys: an unknown global key, or
    an unknown key of a service listed in SERVICE_KEYS."""
    out = []
    cond = st.get("Condition") or {}
    if not isinstance(cond, dict):
        return [f"Condition: {cond!r} is not an object"]
    for op, pairs in cond.items():
        if not isinstance(pairs, dict):
            out.append(f"Condition.{op}: {pairs!r} is not an object")
            continue
        for key in pairs:
            prefix = key.split(":", 1)[0].lower()
            known = GLOBAL_KEYS if prefix == "aws" else SERVICE_KEYS.get(prefix)
            if known is None:
                continue
            lower = key.lower()
            if not any(lower == k.lower() or k.endswith("/") and lower.startswith(k.lower()) and len(lower) > len(k)
                       for k in known):
                out.append(f"Condition.{op}: {key!r} is not a condition key of {prefix} (misspelt?)")
    return out


def statements(resources):
    """(resource, property, statement) of every policy in the resolved
    resources: role policies and queue policies."""
    for logical, res in resources.items():
        p = res["Properties"]
        if res["Type"] == "AWS::IAM::Role":
            for i, pol in enumerate(p.get("Policies", [])):
                for j, st in enumerate(_list(pol["PolicyDocument"].get("Statement"))):
                    yield logical, f"Policies[{i}] ({pol['PolicyName']}).Statement[{j}]", st
        elif res["Type"] == "AWS::SQS::QueuePolicy":
            for j, st in enumerate(_list(p["PolicyDocument"].get("Statement"))):
                yield logical, f"PolicyDocument.Statement[{j}]", st


def check(resources):
    problems = []
    for logical, where, st in statements(resources):
        for key in ("Action", "NotAction"):
            for action in _list(st.get(key)):
                msg = check_action(action)
                if msg:
                    problems.append(f"{logical}.{where}.{key}: {msg}")
        if st.get("Effect") not in ("Allow", "Deny"):
            problems.append(f"{logical}.{where}.Effect: {st.get('Effect')!r}")
        if not _list(st.get("Resource")) and not st.get("NotResource") and "Principal" not in st:
            problems.append(f"{logical}.{where}.Resource: empty (every branch resolved to AWS::NoValue)")
        problems += [f"{logical}.{where}.Resource: {m}" for m in check_resources(st)]
        problems += [f"{logical}.{where}.{m}" for m in check_condition_keys(st)]
    for logical, res in resources.items():
        if res["Type"] == "AWS::Lambda::Permission":
            msg = check_action(res["Properties"].get("Action", ""))
            if msg:
                problems.append(f"{logical}.Action: {msg}")
    return problems


def check_resources(st):
    """A Resource must be "*" or an ARN of the service its actions belong
    to: anything else matches nothing, silently."""
    prefixes = {a.split(":")[0] for a in _list(st.get("Action")) if ":" in a}
    out = []
    for r in _list(st.get("Resource")):
        if r == "*":
            continue
        parts = r.split(":", 5)
        if len(parts) != 6 or parts[0] != "arn" or parts[1] not in ("aws", "aws-cn", "aws-us-gov") or not parts[5]:
            out.append(f"{r!r} is not an ARN")
        elif prefixes and parts[2] not in prefixes:
            out.append(f"{r!r} is a {parts[2]} ARN; the statement's actions are {', '.join(sorted(prefixes))}")
    return out


def check_action(action):
    """None if action is a real IAM action, else why not."""
    if action == "*":
        return None
    if action in IAM_ONLY:
        return None
    if action.count(":") != 1:
        return f"{action!r} is not service:Operation"
    prefix, op = action.split(":")
    service = SERVICE_OF_PREFIX.get(prefix, prefix)
    try:
        ops = shapes.operation_names(service) if service else None
    except Exception:  # botocore.exceptions.UnknownServiceError
        return f"{action!r}: no service model for {prefix!r}"
    if ops is None:
        return f"{action!r}: the preflight has no model for {prefix!r}"
    # IAM action names are case-insensitive.
    lower = {o.lower() for o in ops}
    if "*" in op or "?" in op:
        if not any(fnmatch.fnmatchcase(o, op.lower()) for o in lower):
            return f"{action!r} matches no {prefix} operation"
        return None
    if op.lower() not in lower:
        return f"{action!r} is not an operation of {prefix} (misspelt?)"
    return None


def _list(v):
    if v is None:
        return []
    return v if isinstance(v, list) else [v]

