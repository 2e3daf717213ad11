"""Resolves a transformed template for one parameter set, as CloudFormation
would: parameters checked against their constraints, conditions evaluated,
resources whose condition is false dropped, and every intrinsic function
replaced by its value. Resources get realistic physical names and ARNs
(stack "revoke", account 123456789012), so API models can check them."""

import hashlib
import re

ACCOUNT = "123456789012"
REGION = "us-east-1"
STACK = "revoke"
PSEUDO = {
    "AWS::AccountId": ACCOUNT,
    "AWS::Region": REGION,
    "AWS::Partition": "aws",
    "AWS::StackName": STACK,
    "AWS::URLSuffix": "amazonaws.com",
    "AWS::StackId": f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/{STACK}/5a6b7c8d-0000-4000-8000-000000000001",
    "AWS::NotificationARNs": [],
}


class Error(Exception):
    """A template CloudFormation would reject, naming resource and property."""


class _NoValue:
    pass


NO_VALUE = _NoValue()


def _suffix(logical, n=12):
    return hashlib.sha256(logical.encode()).hexdigest().upper()[:n]


def physical(logical, rtype, props):
    """Ref and GetAtt values of a resource: {"Ref": ..., attr: ...}."""
    name = f"{STACK}-{logical}-{_suffix(logical)}"
    arn = lambda svc, rest: f"arn:aws:{svc}:{REGION}:{ACCOUNT}:{rest}"
    if rtype == "AWS::SQS::Queue":
        name = props.get("QueueName", name)
        return {"Ref": f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{name}", "Arn": arn("sqs", name), "QueueName": name,
                "QueueUrl": f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{name}"}
    if rtype == "AWS::DynamoDB::Table":
        name = props.get("TableName", name)
        return {"Ref": name, "Arn": arn("dynamodb", f"table/{name}")}
    if rtype == "AWS::Lambda::Function":
        name = props.get("FunctionName", name)[:64]
        return {"Ref": name, "Arn": arn("lambda", f"function:{name}")}
    if rtype == "AWS::IAM::Role":
        name = props.get("RoleName", name)[:64]
        return {"Ref": name, "Arn": f"arn:aws:iam::{ACCOUNT}:role/{name}", "RoleId": "AROA" + _suffix(logical, 17)}
    if rtype == "AWS::Events::Rule":
        name = props.get("Name", name)[:64]
        bus = props.get("EventBusName")
        if bus and bus != "default":
            return {"Ref": f"{bus}|{name}", "Arn": arn("events", f"rule/{bus}/{name}")}
        return {"Ref": name, "Arn": arn("events", f"rule/{name}")}
    if rtype == "AWS::Logs::LogGroup":
        name = props.get("LogGroupName", name)
        return {"Ref": name, "Arn": arn("logs", f"log-group:{name}:*")}
    if rtype == "AWS::SNS::Topic":
        name = props.get("TopicName", name)
        return {"Ref": arn("sns", name), "TopicArn": arn("sns", name), "TopicName": name}
    if rtype == "AWS::ApiGatewayV2::Api":
        api_id = _suffix(logical, 10).lower()
        return {"Ref": api_id, "ApiId": api_id, "ApiEndpoint": f"https://{api_id}.execute-api.{REGION}.amazonaws.com"}
    if rtype in ("AWS::ApiGatewayV2::Integration", "AWS::ApiGatewayV2::Route"):
        return {"Ref": _suffix(logical, 7).lower()}
    if rtype == "AWS::ApiGatewayV2::Stage":
        return {"Ref": props.get("StageName", "$default")}
    if rtype == "AWS::CloudWatch::Alarm":
        name = props.get("AlarmName", name)
        return {"Ref": name, "Arn": arn("cloudwatch", f"alarm:{name}")}
    if rtype == "AWS::Lambda::EventSourceMapping":
        return {"Ref": "5a6b7c8d-0000-4000-8000-" + _suffix(logical).lower()}
    return {"Ref": name}


def extremes(template, which):
    """Every Number parameter at its MinValue ("MinValue") or MaxValue."""
    return {k: str(p[which]) for k, p in template.get("Parameters", {}).items() if p.get("Type") == "Number" and which in p}


def longest_strings(template):
    """Every String parameter without AllowedValues at its MaxLength, where a
    run of one letter is a value its AllowedPattern accepts (a schedule or a
    JSON input is bounded by its pattern and MaxLength, not filled)."""
    out = {}
    for k, p in template.get("Parameters", {}).items():
        if p.get("Type") != "String" or "AllowedValues" in p or "MaxLength" not in p:
            continue
        v = "a" * int(p["MaxLength"])
        if "AllowedPattern" not in p or re.fullmatch(p["AllowedPattern"], v):
            out[k] = v
    return out


def unbounded_strings(template):
    """A String parameter with neither AllowedValues nor MaxLength: a long
    value can push a function's environment past Lambda's 4 KB, or a rule's
    input past its limit, and roll the stack back."""
    return [f"Parameters.{k}: a String without MaxLength or AllowedValues (a long value can exceed a function's 4 KB environment)"
            for k, p in sorted(template.get("Parameters", {}).items())
            if p.get("Type", "String") == "String" and "AllowedValues" not in p and "MaxLength" not in p]


def check_parameters(template, values):
    """Returns every parameter's value (defaults filled in) after the checks
    CloudFormation makes before it creates anything."""
    out = {}
    declared = template.get("Parameters", {})
    for k in values:
        if k not in declared:
            raise Error(f"parameter {k}: not declared by the template")
    for name, p in declared.items():
        if name in values:
            v = str(values[name])
        elif "Default" in p:
            v = str(p["Default"])
        else:
            raise Error(f"parameter {name}: no value and no Default")
        if "AllowedValues" in p and v not in [str(a) for a in p["AllowedValues"]]:
            raise Error(f"parameter {name}: {v!r} not in AllowedValues")
        if "AllowedPattern" in p and not re.fullmatch(p["AllowedPattern"], v):
            raise Error(f"parameter {name}: {v!r} does not match AllowedPattern")
        if "MaxLength" in p and len(v) > int(p["MaxLength"]) or "MinLength" in p and len(v) < int(p["MinLength"]):
            raise Error(f"parameter {name}: {len(v)} characters, outside MinLength/MaxLength")
        if p.get("Type") == "Number":
            try:
                num = float(v)
            except ValueError:
                raise Error(f"parameter {name}: {v!r} is not a Number") from None
            if "MinValue" in p and num < float(p["MinValue"]) or "MaxValue" in p and num > float(p["MaxValue"]):
                raise Error(f"parameter {name}: {v} outside MinValue/MaxValue")
        out[name] = v
    return out


class Resolver:
    """Resolves one transformed template for one set of parameter values."""

    def __init__(self, template, params):
        self.template = template
        self.params = check_parameters(template, params)
        self.conditions = {}
        self._evaluating = set()
        self.resources = {}
        for logical, res in template.get("Resources", {}).items():
            cond = res.get("Condition")
            if cond is None or self.condition(cond):
                self.resources[logical] = res
        self.names = {}
        for logical, res in self.resources.items():
            # Names given as properties must be plain or resolvable first.
            props = {}
            for key in ("QueueName", "TableName", "FunctionName", "RoleName", "Name", "EventBusName", "LogGroupName",
                        "TopicName", "StageName", "AlarmName"):
                raw = res.get("Properties", {}).get(key)
                if isinstance(raw, str) or (isinstance(raw, dict) and "Ref" in raw and raw["Ref"] in self.params):
                    props[key] = self.value(raw, logical, key) if not isinstance(raw, str) else raw
            self.names[logical] = physical(logical, res["Type"], props)

    def outputs(self):
        """The stack's outputs: CloudFormation fails a stack whose output
        names a resource that does not exist."""
        out = {}
        for name, o in self.template.get("Outputs", {}).items():
            cond = o.get("Condition")
            if cond is None or self.condition(cond):
                out[name] = self.value(o.get("Value"), f"Outputs.{name}", "Value")
        return out

    def condition(self, name):
        if name in self.conditions:
            return self.conditions[name]
        conds = self.template.get("Conditions", {})
        if name not in conds:
            raise Error(f"condition {name}: not declared")
        if name in self._evaluating:
            raise Error(f"condition {name}: circular")
        self._evaluating.add(name)
        self.conditions[name] = self._cond(conds[name], name)
        return self.conditions[name]

    def _cond(self, expr, where):
        if isinstance(expr, dict) and len(expr) == 1:
            (fn, arg), = expr.items()
            if fn == "Condition":
                return self.condition(arg)
            if fn == "Fn::Equals":
                a, b = (self.value(x, f"condition {where}", fn) for x in arg)
                return str(a) == str(b)
            if fn == "Fn::Not":
                return not self._cond(arg[0], where)
            if fn == "Fn::And":
                return all(self._cond(x, where) for x in arg)
            if fn == "Fn::Or":
                return any(self._cond(x, where) for x in arg)
        raise Error(f"condition {where}: cannot evaluate {expr!r}")

    def resolve(self):
        """Returns {logical: {"Type", "Properties", "Physical", ...}}."""
        out = {}
        for logical, res in self.resources.items():
            for dep in _as_list(res.get("DependsOn")):
                if dep not in self.resources:
                    raise Error(f"{logical}: DependsOn {dep}, which does not exist with these parameters")
            props = self.value(res.get("Properties", {}), logical, "Properties")
            out[logical] = {"Type": res["Type"], "Properties": props, "Physical": self.names[logical],
                            "DeletionPolicy": res.get("DeletionPolicy")}
        return out

    def value(self, v, logical, prop):
        """The value of v, AWS::NoValue dropped from lists and maps."""
        if isinstance(v, list):
            items = [self.value(x, logical, prop) for x in v]
            return [x for x in items if x is not NO_VALUE]
        if not isinstance(v, dict):
            return v
        if len(v) == 1:
            (fn, arg), = v.items()
            if fn == "Ref":
                return self.ref(arg, logical, prop)
            if fn == "Fn::GetAtt":
                target, attr = arg if isinstance(arg, list) else arg.split(".", 1)
                return self.getatt(target, attr, logical, prop)
            if fn == "Fn::If":
                cond, yes, no = arg
                return self.value(yes if self.condition(cond) else no, logical, prop)
            if fn == "Fn::Sub":
                return self.sub(arg, logical, prop)
            if fn == "Fn::Join":
                delim, items = arg
                items = self.value(items, logical, prop)
                return delim.join(str(x) for x in items)
            if fn == "Fn::Split":
                delim, s = arg
                return str(self.value(s, logical, prop)).split(delim)
            if fn == "Fn::Select":
                idx, items = arg
                items = self.value(items, logical, prop)
                i = int(self.value(idx, logical, prop))
                if not 0 <= i < len(items):
                    raise Error(f"{logical}.{prop}: Fn::Select index {i} out of range")
                return items[i]
            if fn.startswith("Fn::") or fn == "Condition":
                raise Error(f"{logical}.{prop}: intrinsic {fn} is not supported by the preflight")
        out = {}
        for k, x in v.items():
            r = self.value(x, logical, f"{prop}.{k}" if prop else k)
            if r is not NO_VALUE:
                out[k] = r
        return out

    def ref(self, name, logical, prop):
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in PSEUDO:
            return PSEUDO[name]
        if name in self.params:
            return self.params[name]
        if name in self.names:
            return self.names[name]["Ref"]
        if name in self.template.get("Resources", {}):
            raise Error(f"{logical}.{prop}: Ref {name}, which does not exist with these parameters")
        raise Error(f"{logical}.{prop}: Ref {name}: no such parameter or resource")

    def getatt(self, target, attr, logical, prop):
        if target not in self.names:
            raise Error(f"{logical}.{prop}: GetAtt {target}.{attr}: {target} does not exist with these parameters")
        phys = self.names[target]
        if attr not in phys:
            raise Error(f"{logical}.{prop}: GetAtt {target}.{attr}: the preflight knows no attribute {attr} of "
                        f"{self.resources[target]['Type']}")
        return phys[attr]

    def sub(self, arg, logical, prop):
        if isinstance(arg, list):
            text, local = arg[0], {k: self.value(x, logical, prop) for k, x in arg[1].items()}
        else:
            text, local = arg, {}

        def one(m):
            name = m.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in local:
                return str(local[name])
            if "." in name and not name.startswith("AWS::"):
                target, attr = name.split(".", 1)
                return str(self.getatt(target, attr, logical, prop))
            r = self.ref(name, logical, prop)
            if r is NO_VALUE:
                raise Error(f"{logical}.{prop}: Fn::Sub of AWS::NoValue")
            return str(r)

        return re.sub(r"\$\{([^}]+)\}", one, text)


def _as_list(v):
    if v is None:
        return []
    return v if isinstance(v, list) else [v]
