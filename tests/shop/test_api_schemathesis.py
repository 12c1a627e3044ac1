"""schemathesis over every operation of /api/v1/openapi.json, in-process through the WSGI app.

Each operation gets valid (positive) and invalid (negative) cases from its schema, half of them aimed at a
real object (a real order number, SKU code, after-sales number, survey token…; see tests/shop/world.py),
sent with a key that has every scope. Checks: never a 5xx; every 4xx in the DESIGN §4 error format
`{"error": {"code", "message", "fields"}}`; status code, content type and body as the schema declares.

Bounded here (FUZZ_EXAMPLES, default 15 cases per operation); `python -m reliability.fuzz --examples 500`
runs the same thing long and prints the counts (FUZZ_REPORT names the JSON file they are written to).
"""

import json
import os
import time
from collections import Counter

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import DatabaseError, close_old_connections, connection, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from shop.models import ApiKey
from shop.services import apikey_create
from tests.shop.world import build_world

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "15"))  # ~360 cases, ~20 s here; CI stays short


def error_format(ctx, response, case):
    """Every 4xx body is `{"error": {"code": str, "message": str, "fields": {str: str}?}}` (DESIGN §4)."""
    if not 400 <= response.status_code < 500:
        return None
    try:
        body = json.loads(response.content)
    except ValueError:
        raise AssertionError(f"{response.status_code} body is not JSON: {response.content[:200]!r}") from None
    error = body.get("error") if isinstance(body, dict) else None
    assert isinstance(error, dict) and set(body) == {"error"}, f"not in the error format: {body!r}"[:500]
    assert isinstance(error.get("code"), str) and error["code"], f"error without a code: {body!r}"[:500]
    assert isinstance(error.get("message"), str) and error["message"], f"error without a message: {body!r}"[:500]
    assert set(error) <= {"code", "message", "fields"}, f"unknown keys in the error: {body!r}"[:500]
    fields = error.get("fields", {})
    assert isinstance(fields, dict) and all(isinstance(v, str) for v in fields.values()), f"bad fields: {body!r}"
    return True


CHECKS = [not_a_server_error, error_format, status_code_conformance, content_type_conformance]
BODY_CHECKS = [response_schema_conformance]


def real_path_parameters():
    """A real value for each path parameter name the API uses, so cases reach the service, not only the 404."""
    from aftersales.models import AftersalesRequest, Complaint, FaqArticle, Survey
    from orders.models import Order

    found = {
        "number": [o.number for o in Order.objects.all()[:3]] + [r.number for r in AftersalesRequest.objects.all()[:2]],
        "sku": ["WORLD-M"],
        "provider": ["alipay", "wechat", "cod"],
        "token": [s.token for s in Survey.objects.all()[:2]],
        "complaint_id": [c.pk for c in Complaint.objects.all()[:2]],
        "article_id": [a.pk for a in FaqArticle.objects.all()[:2]],
    }
    return {name: values for name, values in found.items() if values}


def case_strategy(operation, real):
    strategies = [operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE)]
    names = [p.name for p in operation.path_parameters]
    if names and all(n in real for n in names):
        fixed = st.fixed_dictionaries({n: st.sampled_from(real[n]) for n in names})
        strategies += [
            fixed.flatmap(lambda params, mode=mode: operation.as_strategy(mode, path_parameters=params))
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
            for _twice in range(2)
        ]
    return st.one_of(strategies)


def fuzz_operation(operation, strategy, headers, examples, seen):
    """`examples` cases of one operation: the count of each status, and each distinct failure once."""
    statuses: Counter = Counter()
    failures: list[dict] = []

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=examples <= 50,  # the bounded run is the same on every machine
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case):
        # Each request in a savepoint, as each runs in autocommit on a server: a statement the database
        # refused (answered 400) must not abort the test's transaction for the requests after it. Marked as
        # a test case's block so the durable services inside still run (as Django's TestCase does).
        savepoint = transaction.atomic()
        savepoint._from_testcase = True
        with savepoint:
            response = case.call(headers=headers)
            try:  # a statement the database refused outside any atomic block left the transaction aborted
                with connection.cursor() as cursor:
                    cursor.execute("SELECT 1")
            except DatabaseError:
                statuses["left the transaction aborted"] += 1  # shown by reliability.fuzz, not a failure
                transaction.set_rollback(True)
        statuses[response.status_code] += 1
        checks = CHECKS + (BODY_CHECKS if response.status_code < 300 else [])
        try:
            case.validate_response(response, checks=checks, headers=headers)
        except BaseException as exc:  # a FailureGroup (one Failure per check) or an AssertionError
            for failure in getattr(exc, "exceptions", [exc]):
                title = getattr(failure, "title", type(failure).__name__)
                key = (operation.label, title, response.status_code, str(failure)[:120])
                if key in seen:
                    continue
                seen.add(key)
                failures.append(
                    {
                        "operation": operation.label,
                        "check": title,
                        "status": response.status_code,
                        "detail": str(failure)[:800],
                        "body": response.text[:400],
                        "curl": case.as_curl_command(headers=headers)[:1500],
                    }
                )

    run()
    return statuses, failures


def fuzz(schema, headers, examples):
    """Run every operation; returns {"operations": {label: {"cases": n, "statuses": {...}}}, "failures": [...]}."""
    real = real_path_parameters()
    report = {"operations": {}, "failures": []}
    seen = set()
    for result in schema.get_all_operations():
        operation = result.ok()
        started = time.monotonic()
        statuses, failures = fuzz_operation(operation, case_strategy(operation, real), headers, examples, seen)
        report["operations"][operation.label] = {
            "cases": sum(n for status, n in statuses.items() if isinstance(status, int)),
            "statuses": {str(k): v for k, v in sorted(statuses.items(), key=lambda kv: str(kv[0]))},
            "failures": len(failures),
            "seconds": round(time.monotonic() - started, 1),
        }
        report["failures"] += failures
    return report


@pytest.fixture
def api_headers(owner):
    build_world(owner)
    secret = apikey_create(actor=owner, name="fuzz", scopes=[code for code, _label in ApiKey.SCOPES])[1]
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def wsgi_app():
    """Django's WSGI app as a server runs it, except that the end of a request keeps the test's connection
    (and so its transaction) open, as Django's own test client does."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield get_wsgi_application()
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


def test_every_operation_survives_generated_input(api_headers, wsgi_app, settings):
    settings.LANGUAGE_CODE = "en"
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app)
    report = fuzz(schema, api_headers, EXAMPLES)
    if os.environ.get("FUZZ_REPORT"):
        with open(os.environ["FUZZ_REPORT"], "w") as fh:
            json.dump(report, fh, indent=1, ensure_ascii=False)
    assert len(report["operations"]) >= 25  # every operation of §4 (and the after-sales ones) was tried
    assert all(op["cases"] > 0 for op in report["operations"].values())
    problems = "\n\n".join(
        f"{f['operation']} [{f['check']}] {f['status']}\n{f['detail']}\n{f['body']}\n{f['curl']}"
        for f in report["failures"]
    )
    assert not report["failures"], problems
