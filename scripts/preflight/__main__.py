"""make preflight: checks that template.yaml deploys as written, offline.

  python3 scripts/preflight [--template T ...] [--events DIR] [--no-build]
  python3 scripts/preflight --resolve [Name=Value ...]   # the resolved
      transformed template as JSON (the end-to-end tests read the roles)

The SAM transform as `sam validate` does it; then, with every parameter at
its default, with the parameters that change resources set, and with each
parameter alone at each value the template allows (MinValue, MaxValue,
AllowedValues), every free String parameter at its MaxLength together: every resource's properties against the AWS API model of
the call CloudFormation makes for it (cfnmap, shapes), the documented limits
the models lack (limits), deliveries that fail silently without a
permission (wiring), every EventPattern against the sample events meant for
it (patterns), every IAM action and resource (iamcheck); and
`make build-<Fn>Function` for each function (build). Resource types it
cannot check are named, never passed in silence."""

import argparse
import json
import os
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import build  # noqa: E402
import cfnmap  # noqa: E402
import iamcheck  # noqa: E402
import patterns  # noqa: E402
import resolve  # noqa: E402
import sam  # noqa: E402
import wiring  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# The parameters that change which resources exist or how (the values the
# sample events in events/ carry: partner buses, identity store, pool).
CHANGED = {
    "AuthMode": "iam",
    "SweepEnabled": "true",
    "OktaEventBusName": "aws.partner/okta.com/00o1example/revoke-log-stream",
    "Auth0EventBusName": "aws.partner/auth0.com/example-tenant-2b6f1c9e-8d3a-4f5b-9c7e-1a2b3c4d5e6f/auth0.logs",
    "IdentityStoreId": "d-9067642ac7",
    "CognitoUserPoolId": "us-east-1_AbCdEfGhI",
    "AlarmEmail": "security@example.com",
}


LONGEST = "every String parameter at its MaxLength"


def parameter_sets(template):
    """Defaults; the changed set; and, each alone, every Number parameter at
    its MinValue and at its MaxValue and every AllowedValue of a parameter
    (any value the template allows must deploy)."""
    sets = {"defaults": {}, "changed": CHANGED}
    for which in ("MinValue", "MaxValue"):
        for k, v in sorted(resolve.extremes(template, which).items()):
            sets[f"{k}={v}"] = {k: v}
    for k, p in sorted(template.get("Parameters", {}).items()):
        for v in p.get("AllowedValues", []):
            if str(v) != str(p.get("Default")):
                sets[f"{k}={v}"] = {k: str(v)}
    longest = resolve.longest_strings(template)
    if longest:
        # All at once: the function environments add them up (4 KB).
        sets[LONGEST] = longest
    return sets


def main(argv):
    ap = argparse.ArgumentParser(prog="preflight")
    ap.add_argument("--template", action="append", help="template to check (repeatable; default template.yaml)")
    ap.add_argument("--events", default=os.path.join(REPO, "events"))
    ap.add_argument("--no-build", action="store_true", help="skip make build-<Fn>Function")
    ap.add_argument("--resolve", action="store_true", help="print the resolved transformed template and exit")
    ap.add_argument("params", nargs="*", help="Name=Value (with --resolve)")
    args = ap.parse_args(argv)
    templates = args.template or [os.path.join(REPO, "template.yaml")]
    if args.resolve:
        return emit_resolved(templates[0], dict(p.split("=", 1) for p in args.params))
    failed = False
    for path in templates:
        # Several templates (the tests' broken ones) in one run: one start-up.
        prefix = f"preflight: {path}: " if len(templates) > 1 else "preflight: "
        ok, lines = check(path, args.events, not args.no_build)
        failed = failed or not ok
        for line in lines:
            print(prefix + line)
    return 1 if failed else 0


def _once(problems):
    """Each problem once, under the first parameter set that shows it."""
    first, sets = {}, {}
    for p in problems:
        name, _, msg = p[1:].partition("] ") if p.startswith("[") else ("", "", p)
        first.setdefault(msg, name)
        sets[msg] = sets.get(msg, 0) + 1
    out = []
    for msg, name in first.items():
        more = f" (and {sets[msg] - 1} other parameter sets)" if sets[msg] > 1 else ""
        out.append(f"[{name}] {msg}{more}" if name else msg)
    return out


def emit_resolved(path, params):
    try:
        resources = resolve.Resolver(sam.transform(sam.load(path)), params).resolve()
    except resolve.Error as e:
        print(f"preflight: FAIL {e}", file=sys.stderr)
        return 1
    json.dump({"Resources": resources, "ManagedPolicies": sam.MANAGED_POLICY_DOCUMENTS}, sys.stdout, indent=1)
    return 0


def check(path, events, with_build):
    """Checks one template: (passed, output lines)."""
    start = time.monotonic()
    source = sam.load(path)
    try:
        transformed = sam.transform(source)
    except Exception as e:  # samtranslator's InvalidDocumentException and kin
        return False, [f"FAIL SAM transform: {e}"]
    problems, unchecked, checked = [], {}, 0
    samples, sample_problems = patterns.load_samples(events)
    problems += sample_problems
    matched = set()
    sets = parameter_sets(transformed)
    problems += resolve.unbounded_strings(transformed)
    for set_name, params in sets.items():
        try:
            resolver = resolve.Resolver(transformed, params)
            resources = resolver.resolve()
            resolver.outputs()
        except resolve.Error as e:
            problems.append(f"[{set_name}] {e}")
            continue
        for logical, res in resources.items():
            p = cfnmap.check_resource(logical, res)
            if p is None:
                unchecked.setdefault(res["Type"], set()).add(logical)
                continue
            checked += 1
            problems += [f"[{set_name}] {x}" for x in p]
        problems += [f"[{set_name}] {x}" for x in cfnmap.check_across(resources)]
        problems += [f"[{set_name}] {x}" for x in wiring.check(resources)]
        problems += [f"[{set_name}] {x}" for x in iamcheck.check(resources)]
        # The samples name real event types and ids: a set of made-up
        # maximal values is checked for patterns that parse, not matches.
        p, m = patterns.check(resources, {} if set_name == LONGEST else samples)
        problems += [f"[{set_name}] {x}" for x in p]
        matched |= m
    for name in sorted(set(samples) - matched):
        if patterns.SAMPLES[name] is not None:
            problems.append(f"events/{name}: no parameter set delivers it through {patterns.SAMPLES[name]}")
    if with_build:
        problems += build.check(source, REPO)

    lines = [f"NOT CHECKED {t} ({', '.join(sorted(ids))}): no API model mapping; only a real deploy checks it"
             for t, ids in sorted(unchecked.items())]
    lines += [f"FAIL {p}" for p in _once(problems)]
    lines.append(f"{checked} resource checks over {len(sets)} parameter sets, {len(matched)} sample events matched, "
                 f"{'builds checked' if with_build else 'no build'}: {'FAIL' if problems else 'ok'} ({time.monotonic() - start:.1f}s)")
    return not problems, lines


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
