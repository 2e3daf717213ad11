"""make preflight: checks that template.yaml deploys as written, offline.

  python3 scripts/preflight [--template T] [--events DIR] [--no-build]
  python3 scripts/preflight --resolve [Name=Value ...]   # the resolved
      transformed template as JSON (the end-to-end tests read the roles)

The SAM transform as `sam validate` does it; then, with every parameter at
its default and again with the parameters that change resources set: every
resource's properties against the AWS API model of the call CloudFormation
makes for it, the documented limits the models lack, every EventPattern
against the sample events meant for it, every IAM action against its
service's operations; and `make build-<Fn>Function` for each function.
Resource types it cannot check are named, never passed in silence."""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import build  # noqa: E402
import cfnmap  # noqa: E402
import iamcheck  # noqa: E402
import patterns  # noqa: E402
import resolve  # noqa: E402
import sam  # noqa: E402

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
PARAMETER_SETS = {"defaults": {}, "changed": CHANGED}


def main(argv):
    ap = argparse.ArgumentParser(prog="preflight")
    ap.add_argument("--template", default=os.path.join(REPO, "template.yaml"))
    ap.add_argument("--events", default=os.path.join(REPO, "events"))
    ap.add_argument("--no-build", action="store_true", help="skip make build-<Fn>Function")
    ap.add_argument("--resolve", action="store_true", help="print the resolved transformed template and exit")
    ap.add_argument("params", nargs="*", help="Name=Value (with --resolve)")
    args = ap.parse_args(argv)
    start = time.monotonic()
    source = sam.load(args.template)
    try:
        transformed = sam.transform(source)
    except Exception as e:  # samtranslator's InvalidDocumentException and kin
        print(f"preflight: FAIL SAM transform: {e}")
        return 1
    if args.resolve:
        params = dict(p.split("=", 1) for p in args.params)
        try:
            resources = resolve.Resolver(transformed, params).resolve()
        except resolve.Error as e:
            print(f"preflight: FAIL {e}", file=sys.stderr)
            return 1
        json.dump({"Resources": resources, "ManagedPolicies": sam.MANAGED_POLICY_DOCUMENTS}, sys.stdout, indent=1)
        return 0

    problems, unchecked, checked = [], {}, 0
    samples, sample_problems = patterns.load_samples(args.events)
    problems += sample_problems
    matched = set()
    for set_name, params in PARAMETER_SETS.items():
        try:
            resources = resolve.Resolver(transformed, params).resolve()
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
        problems += [f"[{set_name}] {x}" for x in iamcheck.check(resources)]
        p, m = patterns.check(resources, samples)
        problems += [f"[{set_name}] {x}" for x in p]
        matched |= m
    for name in sorted(set(samples) - matched):
        if patterns.SAMPLES[name] is not None:
            problems.append(f"events/{name}: no parameter set delivers it through {patterns.SAMPLES[name]}")
    if not args.no_build:
        problems += build.check(source, REPO)

    for t, ids in sorted(unchecked.items()):
        print(f"preflight: NOT CHECKED {t} ({', '.join(sorted(ids))}): no API model mapping; only a real deploy checks it")
    for p in problems:
        print(f"preflight: FAIL {p}")
    print(f"preflight: {checked} resource checks over {len(PARAMETER_SETS)} parameter sets, {len(matched)} sample events matched, "
          f"{'no build' if args.no_build else 'builds checked'}: {'FAIL' if problems else 'ok'} ({time.monotonic() - start:.1f}s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
