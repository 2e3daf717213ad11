"""Checks a request against a botocore input shape: required members,
unknown members, types, enums, lengths and ranges (min/max) and patterns.
botocore's own ParamValidator skips max, pattern and some ranges, so this
walks the shape itself."""

import re

import botocore.session

_session = botocore.session.get_session()
_models = {}


def model(service):
    """The botocore service model (cached)."""
    if service not in _models:
        _models[service] = _session.get_service_model(service)
    return _models[service]


def operation_names(service):
    return set(model(service).operation_names)


def check(service, operation, params, where):
    """Returns a list of problems of params as operation's input, each naming
    where (resource.Property) and the member."""
    op = model(service).operation_model(operation)
    problems = []
    _walk(op.input_shape, params, where, problems)
    return problems


def _walk(shape, value, path, problems):
    t = shape.type_name
    meta = shape.metadata
    if t == "structure":
        if not isinstance(value, dict):
            problems.append(f"{path}: want an object, got {value!r}")
            return
        for req in shape.required_members:
            if req not in value:
                problems.append(f"{path}: required member {req} missing")
        for k, v in value.items():
            if k not in shape.members:
                problems.append(f"{path}: unknown member {k}")
                continue
            _walk(shape.members[k], v, f"{path}.{k}", problems)
        return
    if t == "list":
        if not isinstance(value, list):
            problems.append(f"{path}: want a list, got {value!r}")
            return
        _length(meta, len(value), path, problems, "items")
        for i, v in enumerate(value):
            _walk(shape.member, v, f"{path}[{i}]", problems)
        return
    if t == "map":
        if not isinstance(value, dict):
            problems.append(f"{path}: want a map, got {value!r}")
            return
        _length(meta, len(value), path, problems, "entries")
        for k, v in value.items():
            _walk(shape.key, k, f"{path} key {k!r}", problems)
            _walk(shape.value, v, f"{path}[{k!r}]", problems)
        return
    if t in ("integer", "long"):
        n = _number(value, int)
        if n is None:
            problems.append(f"{path}: want an integer, got {value!r}")
            return
        _range(meta, n, path, problems)
        return
    if t in ("double", "float"):
        n = _number(value, float)
        if n is None:
            problems.append(f"{path}: want a number, got {value!r}")
            return
        _range(meta, n, path, problems)
        return
    if t == "boolean":
        if not (isinstance(value, bool) or value in ("true", "false")):
            problems.append(f"{path}: want a boolean, got {value!r}")
        return
    if t == "string":
        if not isinstance(value, str):
            problems.append(f"{path}: want a string, got {value!r}")
            return
        if shape.enum and value not in shape.enum:
            problems.append(f"{path}: {value!r} is not one of {', '.join(shape.enum)}")
        _length(meta, len(value), path, problems, "characters")
        pat = meta.get("pattern")
        if pat:
            try:
                ok = re.fullmatch(pat, value, re.DOTALL) is not None
            except re.error:
                ok = True  # a Java-only construct: the length checks still apply
            if not ok:
                problems.append(f"{path}: {value!r} does not match the pattern {pat}")
        return
    if t in ("timestamp", "blob"):
        return
    problems.append(f"{path}: the preflight cannot check shape type {t}")


def _number(value, kind):
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return kind(value) if kind is float or float(value).is_integer() else None
    if isinstance(value, str):
        try:
            return kind(value)
        except ValueError:
            return None
    return None


def _length(meta, n, path, problems, unit):
    if "min" in meta and n < meta["min"]:
        problems.append(f"{path}: {n} {unit}, at least {meta['min']}")
    if "max" in meta and n > meta["max"]:
        problems.append(f"{path}: {n} {unit}, at most {meta['max']}")


def _range(meta, n, path, problems):
    if "min" in meta and n < meta["min"]:
        problems.append(f"{path}: {n} is below the minimum {meta['min']}")
    if "max" in meta and n > meta["max"]:
        problems.append(f"{path}: {n} is above the maximum {meta['max']}")
