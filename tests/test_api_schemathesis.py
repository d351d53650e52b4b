"""The REST API against its own OpenAPI document: schemathesis generates requests for every
operation of a real server, and every answer must be a documented status with a body that
matches the documented schema, never a server error. ``bench/api_fuzz.py`` runs the same
with thousands of requests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from .webserver import running_server

pytestmark = pytest.mark.slow

API_PATHS = {
    "/api/stories", "/api/stories/{story_id}", "/api/stories/{story_id}/trace", "/api/articles",
    "/api/articles/{article_id}", "/api/entities", "/api/entities/{entity_id}", "/api/search",
    "/api/corrections",
}
# Per operation and generation mode: 9 operations x 2 modes x 15 is 270 requests, which
# keeps this file well under two minutes; bench/api_fuzz.py runs thousands.
EXAMPLES = 15
CHECKS = {
    GenerationMode.POSITIVE: [not_a_server_error, status_code_conformance,
                              content_type_conformance, response_schema_conformance],
    # Invalid input: any documented or undocumented 4xx is fine, a 5xx is not.
    GenerationMode.NEGATIVE: [not_a_server_error, content_type_conformance],
}


@pytest.fixture(scope="module")
def api(sample_store_path) -> Iterator[tuple[str, schemathesis.BaseSchema]]:
    with running_server(str(sample_store_path)) as base:
        yield base, schemathesis.openapi.from_url(base + "/openapi.json")


def test_the_schema_covers_every_api_path(api):
    _, schema = api
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} == API_PATHS
    assert {op.method.upper() for op in operations} == {"GET"}


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
                         ids=["positive", "negative"])
def test_generated_requests_get_documented_answers(api, mode):
    base, schema = api
    session = requests.Session()
    count = 0
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy(generation_mode=mode))
        def check(case: schemathesis.Case) -> None:
            nonlocal count
            response = case.call(base_url=base, session=session, timeout=120)
            count += 1
            case.validate_response(response, checks=CHECKS[mode])

        check()
    assert count >= len(API_PATHS) * 5  # the generator really sent requests
