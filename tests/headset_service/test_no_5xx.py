"""No request makes the service answer 5xx (issue #14, finding 6): hypothesis walks the service's
own OpenAPI and sends every operation generated path and query parameters and JSON bodies (ids
past 64 bits, non-ASCII digits, odd dates and strings among them), as an admin and as a headset.
Bounded: a few examples per operation, so the walk takes seconds, not minutes."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

#: Calls that would end the callers' own sign-in (the rest of the walk would only see 401s).
SKIP = {("post", "/api/auth/logout")}
EXAMPLES = 20

NUMBERS = st.one_of(st.integers(min_value=-3, max_value=5), st.integers(), st.sampled_from([2**63 - 1, 2**63, 10**23]))
TEXTS = st.one_of(st.text(max_size=20), st.sampled_from(["²", "١٢", "0001-01-01", "9999-12-31", "abc", "-1", "1e9",
                                                          "99999999999999999999999", "../x", "%00", " "]))
ANY_JSON = st.recursive(st.one_of(st.none(), st.booleans(), NUMBERS, st.floats(allow_nan=False, allow_infinity=False), TEXTS),
                        lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                        max_leaves=8)


def from_schema(schema: dict, spec: dict, depth: int = 0) -> st.SearchStrategy[Any]:
    """Values that mostly fit ``schema`` (so handlers get past validation), now and then anything."""
    if depth > 4:
        return ANY_JSON
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return from_schema(spec["components"]["schemas"][name], spec, depth + 1)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            return st.one_of([from_schema(s, spec, depth + 1) for s in schema[key]])
    if "enum" in schema:
        return st.one_of(st.sampled_from(schema["enum"]), TEXTS)
    kind = schema.get("type")
    if kind == "integer":
        return NUMBERS
    if kind == "number":
        return st.one_of(NUMBERS, st.floats(allow_nan=False, allow_infinity=False))
    if kind == "boolean":
        return st.booleans()
    if kind == "string":
        return TEXTS
    if kind == "null":
        return st.none()
    if kind == "array":
        return st.lists(from_schema(schema.get("items", {}), spec, depth + 1), max_size=3)
    if kind == "object" or "properties" in schema:
        props = schema.get("properties", {})
        required = set(schema.get("required", ()))
        return st.fixed_dictionaries(
            {k: from_schema(v, spec, depth + 1) for k, v in props.items() if k in required},
            optional={k: from_schema(v, spec, depth + 1) for k, v in props.items() if k not in required})
    return ANY_JSON


def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def operations(spec: dict) -> list[tuple[str, str, dict]]:
    return [(method, path, op) for path, item in spec["paths"].items() for method, op in item.items()
            if method in {"get", "post", "put", "patch", "delete", "head", "options"} and (method, path) not in SKIP]


def request_strategy(path: str, op: dict, spec: dict) -> st.SearchStrategy[dict]:
    params = op.get("parameters", [])
    in_path = {p["name"]: from_schema(p.get("schema", {}), spec) for p in params if p["in"] == "path"}
    in_query = {p["name"]: from_schema(p.get("schema", {}), spec) for p in params if p["in"] == "query"}
    body_schema = (op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema"))
    return st.fixed_dictionaries({
        "path": st.fixed_dictionaries(in_path),
        "query": st.fixed_dictionaries({}, optional=in_query),
        "body": st.one_of(from_schema(body_schema, spec), ANY_JSON) if body_schema else st.just(None),
    })


def test_no_operation_answers_5xx(harness):
    spec = harness.staff("admin").get("/openapi.json").raise_for_status().json()
    _headset_id, token = harness.enrol(harness.unique("walker"))
    callers = {"admin": harness.staff("admin"), "headset": harness.client(token)}
    found: list[str] = []

    for method, path, op in operations(spec):
        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(call=request_strategy(path, op, spec), who=st.sampled_from(sorted(callers)))
        def walk(call: dict, who: str) -> None:
            url = path
            for name, value in call["path"].items():
                url = url.replace("{" + name + "}", quote(_as_text(value), safe="") or "x")
            query = {k: _as_text(v) for k, v in call["query"].items()}
            answer = callers[who].request(method.upper(), url, params=query,
                                          json=call["body"] if call["body"] is not None else None)
            if answer.status_code >= 500:
                found.append(f"{who} {method.upper()} {url} {query} {call['body']!r} -> {answer.status_code}")
                raise AssertionError(found[-1])

        try:
            walk()
        except AssertionError:
            pass  # collected in found; walk on, so one run shows every operation that crashes
    assert not found, "\n".join(found)
