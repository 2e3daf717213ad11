"""Limits that live only in the AWS documentation, not in the service models.
One table, each row with where it is documented."""

import json
import re

# SQS queue attributes (SQS Developer Guide, SetQueueAttributes / CreateQueue):
# (minimum, maximum) of each numeric attribute.
SQS_ATTRIBUTE_RANGES = {
    "VisibilityTimeout": (0, 43200),  # 0 s - 12 h
    "MessageRetentionPeriod": (60, 1209600),  # 1 min - 14 days
    "DelaySeconds": (0, 900),  # 0 - 15 min
    "ReceiveMessageWaitTimeSeconds": (0, 20),
    "MaximumMessageSize": (1024, 1048576),  # 1 KiB - 1 MiB
    "KmsDataKeyReusePeriodSeconds": (60, 86400),
}
SQS_BOOLEAN_ATTRIBUTES = {"SqsManagedSseEnabled", "FifoQueue", "ContentBasedDeduplication"}
SQS_MAX_RECEIVE_COUNT = (1, 1000)  # RedrivePolicy maxReceiveCount

LAMBDA_MAX_TIMEOUT = 900  # seconds (Lambda quotas: function timeout)
LAMBDA_MAX_ENVIRONMENT = 4096  # bytes, all keys and values (Lambda quotas)
# An SQS event source with BatchSize above 10 needs a batching window of at
# least 1 s (CreateEventSourceMapping, BatchSize); at most 10,000 per batch.
SQS_BATCH_WITHOUT_WINDOW = 10
SQS_MAX_BATCH = 10000
SQS_MAX_CONCURRENCY = (2, 1000)  # ScalingConfig.MaximumConcurrency

# IAM quotas: the inline policies of one role, together, at most 10,240
# characters (whitespace not counted).
IAM_ROLE_INLINE_POLICY_CHARS = 10240

# EventBridge schedule expressions (EventBridge User Guide, "Schedule
# expressions"): rate(1 minute|hour|day), rate(N minutes|hours|days) for
# N > 1, or cron with six fields.
SCHEDULE_RATE = r"rate\((1 (minute|hour|day)|([2-9]|[1-9][0-9]+) (minutes|hours|days))\)"
SCHEDULE_CRON = r"cron\(\S+ \S+ \S+ \S+ \S+ \S+\)"

# CloudWatch Logs PutRetentionPolicy: the only values accepted.
LOG_RETENTION_DAYS = {1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
                      3288, 3653}


def sqs_attributes(attrs, where):
    problems = []
    for k, v in attrs.items():
        if k in SQS_ATTRIBUTE_RANGES:
            lo, hi = SQS_ATTRIBUTE_RANGES[k]
            try:
                n = int(v)
            except ValueError:
                problems.append(f"{where}.{k}: {v!r} is not an integer")
                continue
            if not lo <= n <= hi:
                problems.append(f"{where}.{k}: {n} outside {lo}-{hi}")
        if k in SQS_BOOLEAN_ATTRIBUTES and v not in ("true", "false"):
            problems.append(f"{where}.{k}: {v!r} is not true or false")
        if k == "RedrivePolicy":
            try:
                rp = json.loads(v)
            except ValueError:
                problems.append(f"{where}.RedrivePolicy: not JSON")
                continue
            extra = set(rp) - {"deadLetterTargetArn", "maxReceiveCount"}
            if extra or "deadLetterTargetArn" not in rp or "maxReceiveCount" not in rp:
                problems.append(f"{where}.RedrivePolicy: needs exactly deadLetterTargetArn and maxReceiveCount, got {sorted(rp)}")
            if not str(rp.get("deadLetterTargetArn", "")).startswith("arn:aws:sqs:"):
                problems.append(f"{where}.RedrivePolicy.deadLetterTargetArn: {rp.get('deadLetterTargetArn')!r} is not a queue ARN")
            lo, hi = SQS_MAX_RECEIVE_COUNT
            try:
                n = int(rp.get("maxReceiveCount"))
            except (TypeError, ValueError):
                n = None
            if n is None or not lo <= n <= hi:
                problems.append(f"{where}.RedrivePolicy.maxReceiveCount: {rp.get('maxReceiveCount')!r} outside {lo}-{hi}")
    return problems


def lambda_function(props, where):
    problems = []
    if "Timeout" in props and int(props["Timeout"]) > LAMBDA_MAX_TIMEOUT:
        problems.append(f"{where}.Timeout: {props['Timeout']} s, at most {LAMBDA_MAX_TIMEOUT}")
    env = props.get("Environment", {}).get("Variables", {})
    size = sum(len(k.encode()) + len(str(v).encode()) for k, v in env.items())
    if size > LAMBDA_MAX_ENVIRONMENT:
        problems.append(f"{where}.Environment: {size} bytes, at most {LAMBDA_MAX_ENVIRONMENT}")
    return problems


def sqs_event_source(props, where):
    problems = []
    batch = int(props.get("BatchSize", 10))
    window = int(props.get("MaximumBatchingWindowInSeconds", 0))
    if batch > SQS_MAX_BATCH:
        problems.append(f"{where}.BatchSize: {batch}, at most {SQS_MAX_BATCH} for SQS")
    if batch > SQS_BATCH_WITHOUT_WINDOW and window < 1:
        problems.append(f"{where}.MaximumBatchingWindowInSeconds: {window}; BatchSize {batch} > 10 needs at least 1")
    mc = props.get("ScalingConfig", {}).get("MaximumConcurrency")
    lo, hi = SQS_MAX_CONCURRENCY
    if mc is not None and not lo <= int(mc) <= hi:
        problems.append(f"{where}.ScalingConfig.MaximumConcurrency: {mc} outside {lo}-{hi}")
    return problems


def log_retention(days, where):
    if int(days) not in LOG_RETENTION_DAYS:
        return [f"{where}.RetentionInDays: {days} is not one of {sorted(LOG_RETENTION_DAYS)}"]
    return []


def schedule(expr, where):
    if re.fullmatch(SCHEDULE_RATE, expr) or re.fullmatch(SCHEDULE_CRON, expr):
        return []
    return [f"{where}.ScheduleExpression: {expr!r} is neither rate(N unit) nor cron(six fields)"]


def role_policies(policies, where):
    size = sum(len(re.sub(r"\s", "", json.dumps(p["PolicyDocument"]))) for p in policies)
    if size > IAM_ROLE_INLINE_POLICY_CHARS:
        return [f"{where}.Policies: {size} characters of inline policy, at most {IAM_ROLE_INLINE_POLICY_CHARS} per role"]
    return []


def sqs_visibility_covers_timeout(resources):
    """Lambda refuses an SQS event source whose queue's visibility timeout is
    shorter than the function's timeout (CreateEventSourceMapping)."""
    problems = []
    by_arn = {r["Physical"].get("Arn"): (k, r) for k, r in resources.items()}
    by_name = {r["Physical"].get("Ref"): (k, r) for k, r in resources.items()}
    for k, r in resources.items():
        if r["Type"] != "AWS::Lambda::EventSourceMapping":
            continue
        q = by_arn.get(r["Properties"].get("EventSourceArn"))
        f = by_name.get(r["Properties"].get("FunctionName"))
        if not q or not f or q[1]["Type"] != "AWS::SQS::Queue":
            continue
        vis = int(q[1]["Properties"].get("VisibilityTimeout", 30))
        timeout = int(f[1]["Properties"].get("Timeout", 3))
        if vis < timeout:
            problems.append(f"{k}.EventSourceArn: queue {q[0]} VisibilityTimeout {vis} s < {f[0]} Timeout {timeout} s")
    return problems
