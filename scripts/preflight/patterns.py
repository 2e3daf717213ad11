"""Every rule's EventPattern parsed by a real pattern engine (moto's
EventBridge), and each sample event matched against the rule meant for it:
a pattern that can never match is a silent outage."""

import json
import os

from moto.events.exceptions import InvalidEventPatternException
from moto.events.models import EventPattern

# Sample (events/) -> the rule (logical id) meant to deliver it. Every
# EventBridge event in events/ must be listed; None: a scheduled event,
# delivered by a rule without a pattern.
SAMPLES = {
    "trigger-okta-deactivate.json": "OktaRule",
    "trigger-auth0-sdu.json": "Auth0Rule",
    "trigger-identitycenter-disableuser.json": "IdentityCenterRule",
    "trigger-identitycenter-deleteuser.json": "IdentityCenterRule",
    "trigger-cognito-admindisableuser.json": "CognitoRule",
    "schedule.json": None,
}

# EventBridge content filters (EventBridge User Guide, "Content filtering").
OPERATORS = {"prefix", "suffix", "anything-but", "numeric", "exists", "cidr", "equals-ignore-case", "wildcard"}


def load_samples(events_dir):
    """{file: event} for every EventBridge event in events_dir; problems for
    events not in SAMPLES."""
    samples, problems = {}, []
    for name in sorted(os.listdir(events_dir)):
        if not name.endswith(".json"):
            continue
        with open(os.path.join(events_dir, name)) as f:
            try:
                ev = json.load(f)
            except ValueError:
                continue
        if not isinstance(ev, dict) or "detail-type" not in ev:
            continue
        if name not in SAMPLES:
            problems.append(f"events/{name}: an EventBridge event no rule is named for (add it to patterns.SAMPLES)")
            continue
        samples[name] = ev
    return samples, problems


def check(resources, samples):
    """Problems, and the samples matched by the rule meant for them."""
    problems, matched = [], set()
    rules = {k: r for k, r in resources.items() if r["Type"] == "AWS::Events::Rule" and "EventPattern" in r["Properties"]}
    engines = {}
    for logical, rule in rules.items():
        raw = rule["Properties"]["EventPattern"]
        where = f"{logical}.EventPattern"
        problems += [f"{where}: {m}" for m in _operators(raw if isinstance(raw, dict) else json.loads(raw), "")]
        try:
            engines[logical] = EventPattern.load(raw if isinstance(raw, str) else json.dumps(raw))
        except InvalidEventPatternException as e:
            problems.append(f"{where}: {e.description if hasattr(e, 'description') else e}")
    for name, ev in samples.items():
        meant = SAMPLES[name]
        for logical, engine in engines.items():
            try:
                hit = engine.matches_event(ev)
            except Exception as e:  # the engine could not evaluate the pattern
                problems.append(f"{logical}.EventPattern: cannot be evaluated against events/{name}: {e}")
                continue
            if logical == meant and not hit:
                problems.append(f"{logical}.EventPattern: does not match its sample events/{name}")
            elif logical != meant and hit:
                problems.append(f"{logical}.EventPattern: also matches events/{name}, meant for {meant}")
            elif hit:
                bus = rules[logical]["Properties"].get("EventBusName", "default")
                if bus.startswith("aws.partner/") and bus != ev.get("source"):
                    problems.append(f"{logical}.EventBusName: {bus!r}; events/{name} arrives on its partner bus {ev.get('source')!r}")
                else:
                    matched.add(name)
    return problems, matched


def _operators(node, path):
    out = []
    if isinstance(node, dict):
        for k, v in node.items():
            out += _operators(v, f"{path}.{k}" if path else k)
    elif isinstance(node, list):
        for v in node:
            if isinstance(v, dict):
                for op in v:
                    if op not in OPERATORS:
                        out.append(f"{path}: unknown content filter {op!r}")
            elif isinstance(v, list):
                out.append(f"{path}: nested list")
    else:
        out.append(f"{path}: a value must be in a list")
    return out
