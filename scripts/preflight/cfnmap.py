"""What CloudFormation calls for each resource type, with the resource's
properties mapped to that call's API input (property names differ from API
member names in places; each mapping is explicit)."""

import json

import limits
import shapes


def _tags_map(tags):
    return {t["Key"]: t["Value"] for t in tags}


def _pick(props, *names):
    return {k: props[k] for k in names if k in props}


def _json(v):
    return v if isinstance(v, str) else json.dumps(v)


def sqs_queue(p, phys):
    attrs = {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in p.items()
             if k not in ("QueueName", "Tags", "RedrivePolicy", "RedriveAllowPolicy")}
    for k in ("RedrivePolicy", "RedriveAllowPolicy"):
        if k in p:
            attrs[k] = _json(p[k])
    call = {"QueueName": phys["QueueName"], "Attributes": attrs}
    if "Tags" in p:
        call["tags"] = _tags_map(p["Tags"])
    return [("sqs", "CreateQueue", call)], set(p), lambda where: limits.sqs_attributes(attrs, where)


def sqs_queue_policy(p, phys):
    calls = [("sqs", "SetQueueAttributes", {"QueueUrl": q, "Attributes": {"Policy": _json(p["PolicyDocument"])}})
             for q in p.get("Queues", [])]
    return calls, {"Queues", "PolicyDocument"}, None


def dynamodb_table(p, phys):
    name = phys["Ref"]
    create = _pick(p, "AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes", "LocalSecondaryIndexes",
                   "BillingMode", "ProvisionedThroughput", "StreamSpecification", "TableClass",
                   "DeletionProtectionEnabled", "OnDemandThroughput", "WarmThroughput")
    create["TableName"] = name
    if "SSESpecification" in p:  # CloudFormation SSEEnabled is the API's Enabled
        sse = dict(p["SSESpecification"])
        if "SSEEnabled" in sse:
            sse["Enabled"] = sse.pop("SSEEnabled")
        create["SSESpecification"] = sse
    if "Tags" in p:
        create["Tags"] = p["Tags"]
    calls = [("dynamodb", "CreateTable", create)]
    if "TimeToLiveSpecification" in p:
        calls.append(("dynamodb", "UpdateTimeToLive", {"TableName": name, "TimeToLiveSpecification": p["TimeToLiveSpecification"]}))
    if "PointInTimeRecoverySpecification" in p:
        calls.append(("dynamodb", "UpdateContinuousBackups",
                      {"TableName": name, "PointInTimeRecoverySpecification": p["PointInTimeRecoverySpecification"]}))
    consumed = set(create) - {"TableName"} | {"SSESpecification", "TimeToLiveSpecification", "PointInTimeRecoverySpecification",
                                             "Tags", "TableName"}

    def keys_defined(where):
        # DynamoDB rejects an attribute definition no key uses, and a key
        # attribute that is not defined.
        defined = {a["AttributeName"] for a in p.get("AttributeDefinitions", [])}
        used = {k["AttributeName"] for k in p.get("KeySchema", [])}
        for i, g in enumerate(p.get("GlobalSecondaryIndexes", []) + p.get("LocalSecondaryIndexes", [])):
            used |= {k["AttributeName"] for k in g.get("KeySchema", [])}
        out = [f"{where}.AttributeDefinitions: {a} is defined but no key uses it" for a in sorted(defined - used)]
        out += [f"{where}.KeySchema: {a} is a key but not in AttributeDefinitions" for a in sorted(used - defined)]
        names = [g.get("IndexName") for g in p.get("GlobalSecondaryIndexes", [])]
        out += [f"{where}.GlobalSecondaryIndexes: index name {n} twice" for n in set(names) if names.count(n) > 1]
        return out

    return calls, consumed, keys_defined


def lambda_function(p, phys):
    fn = _pick(p, "Runtime", "Role", "Handler", "Code", "Description", "Timeout", "MemorySize", "Environment",
               "Architectures", "LoggingConfig", "Layers", "DeadLetterConfig", "TracingConfig", "KmsKeyArn",
               "VpcConfig", "EphemeralStorage", "PackageType", "ReservedConcurrentExecutions")
    fn["FunctionName"] = phys["Ref"]
    reserved = fn.pop("ReservedConcurrentExecutions", None)
    if "Tags" in p:
        fn["Tags"] = _tags_map(p["Tags"])
    calls = [("lambda", "CreateFunction", fn)]
    if reserved is not None:
        calls.append(("lambda", "PutFunctionConcurrency", {"FunctionName": phys["Ref"], "ReservedConcurrentExecutions": reserved}))
    return calls, set(fn) | {"Tags", "ReservedConcurrentExecutions"}, lambda where: limits.lambda_function(p, where)


def lambda_event_source_mapping(p, phys):
    call = dict(p)
    extra = None
    if ":sqs:" in str(p.get("EventSourceArn", "")):
        extra = lambda where: limits.sqs_event_source(p, where)
    return [("lambda", "CreateEventSourceMapping", call)], set(p), extra


def lambda_event_invoke_config(p, phys):
    return [("lambda", "PutFunctionEventInvokeConfig", dict(p))], set(p), None


def lambda_permission(p, phys):
    call = dict(p)
    call["StatementId"] = phys["Ref"][:100]
    return [("lambda", "AddPermission", call)], set(p), None


def events_rule(p, phys):
    rule = _pick(p, "Description", "EventBusName", "ScheduleExpression", "State", "RoleArn")
    name = phys["Ref"].split("|")[-1]
    rule["Name"] = p.get("Name", name)
    if "EventPattern" in p:
        rule["EventPattern"] = _json(p["EventPattern"])
    calls = [("events", "PutRule", rule)]
    if p.get("Targets"):
        targets = {"Rule": rule["Name"], "Targets": p["Targets"]}
        if "EventBusName" in p:
            targets["EventBusName"] = p["EventBusName"]
        calls.append(("events", "PutTargets", targets))
    extra = None
    if "ScheduleExpression" in p:
        extra = lambda where: limits.schedule(p["ScheduleExpression"], where)
    return calls, set(rule) | {"Targets", "EventPattern", "Name"}, extra


def apigw_api(p, phys):
    return [("apigatewayv2", "CreateApi", dict(p))], set(p), None


def apigw_stage(p, phys):
    return [("apigatewayv2", "CreateStage", dict(p))], set(p), None


def apigw_integration(p, phys):
    return [("apigatewayv2", "CreateIntegration", dict(p))], set(p), None


def apigw_route(p, phys):
    return [("apigatewayv2", "CreateRoute", dict(p))], set(p), None


def cloudwatch_alarm(p, phys):
    call = dict(p)
    call.setdefault("AlarmName", phys["Ref"])
    return [("cloudwatch", "PutMetricAlarm", call)], set(p), None


def logs_log_group(p, phys):
    calls = [("logs", "CreateLogGroup", {"logGroupName": phys["Ref"], **({"kmsKeyId": p["KmsKeyId"]} if "KmsKeyId" in p else {})})]
    extra = None
    if "RetentionInDays" in p:
        calls.append(("logs", "PutRetentionPolicy", {"logGroupName": phys["Ref"], "retentionInDays": p["RetentionInDays"]}))
        extra = lambda where: limits.log_retention(p["RetentionInDays"], where)
    return calls, {"LogGroupName", "KmsKeyId", "RetentionInDays"}, extra


def sns_topic(p, phys):
    calls = [("sns", "CreateTopic", {"Name": phys["TopicName"]})]
    for s in p.get("Subscription", []):
        calls.append(("sns", "Subscribe", {"TopicArn": phys["TopicArn"], "Protocol": s["Protocol"], "Endpoint": s["Endpoint"]}))
    return calls, {"TopicName", "Subscription"}, None


def iam_role(p, phys):
    name = phys["Ref"]
    create = _pick(p, "Path", "Description", "MaxSessionDuration", "PermissionsBoundary")
    create["RoleName"] = name
    create["AssumeRolePolicyDocument"] = _json(p["AssumeRolePolicyDocument"])
    if "Tags" in p:
        create["Tags"] = p["Tags"]
    calls = [("iam", "CreateRole", create)]
    for pol in p.get("Policies", []):
        calls.append(("iam", "PutRolePolicy", {"RoleName": name, "PolicyName": pol["PolicyName"], "PolicyDocument": _json(pol["PolicyDocument"])}))
    for arn in p.get("ManagedPolicyArns", []):
        calls.append(("iam", "AttachRolePolicy", {"RoleName": name, "PolicyArn": arn}))
    return calls, set(create) | {"Policies", "ManagedPolicyArns"}, lambda where: limits.role_policies(p.get("Policies", []), where)


# Resource type -> builder(properties, physical) -> (calls, consumed
# properties, extra check or None).
BUILDERS = {
    "AWS::SQS::Queue": sqs_queue,
    "AWS::SQS::QueuePolicy": sqs_queue_policy,
    "AWS::DynamoDB::Table": dynamodb_table,
    "AWS::Lambda::Function": lambda_function,
    "AWS::Lambda::EventSourceMapping": lambda_event_source_mapping,
    "AWS::Lambda::EventInvokeConfig": lambda_event_invoke_config,
    "AWS::Lambda::Permission": lambda_permission,
    "AWS::Events::Rule": events_rule,
    "AWS::ApiGatewayV2::Api": apigw_api,
    "AWS::ApiGatewayV2::Stage": apigw_stage,
    "AWS::ApiGatewayV2::Integration": apigw_integration,
    "AWS::ApiGatewayV2::Route": apigw_route,
    "AWS::CloudWatch::Alarm": cloudwatch_alarm,
    "AWS::Logs::LogGroup": logs_log_group,
    "AWS::SNS::Topic": sns_topic,
    "AWS::IAM::Role": iam_role,
}


def check_resource(logical, res):
    """Problems of one resolved resource, or None if its type is not mapped."""
    build = BUILDERS.get(res["Type"])
    if build is None:
        return None
    props = res["Properties"]
    calls, consumed, extra = build(props, res["Physical"])
    problems = [f"{logical}.{k}: property not mapped to an API call by the preflight" for k in sorted(set(props) - consumed)]
    for service, op, params in calls:
        problems += shapes.check(service, op, params, f"{logical} ({service} {op})")
    if extra:
        problems += extra(logical)
    return problems


def check_across(resources):
    """Problems no single resource shows."""
    return limits.sqs_visibility_covers_timeout(resources)
