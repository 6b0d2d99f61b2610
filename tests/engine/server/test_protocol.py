"""The JSON 1.0 wire layer: dispatch, validation, errors, timestamps and tamper-proof page tokens."""

from __future__ import annotations

import base64
import json

import pytest
from botocore.exceptions import ClientError

from proton_exodus.engine import conformance
from proton_exodus.engine.protocol import TARGET_PREFIX, PageTokens, ProtonProtocol
from tests.engine.server.conftest import make_client
from tests.engine.server.fakes import T0, FakeBackend


@pytest.fixture
def protocol() -> ProtonProtocol:
    backends: dict[tuple[str, str], FakeBackend] = {}

    def backend_for(account_id: str, region: str) -> FakeBackend:
        return backends.setdefault((account_id, region), FakeBackend(account_id, region))

    return ProtonProtocol(backend_for, page_size=3)


def call(protocol: ProtonProtocol, op: str, body: object, account: str = "111122223333") -> tuple[int, dict]:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    reply = protocol.handle(f"{TARGET_PREFIX}.{op}", raw, account, "eu-west-1")
    assert reply.headers["Content-Type"] == "application/x-amz-json-1.0"
    return reply.status, json.loads(reply.body)


def test_dispatch_serialises_epoch_seconds_and_prunes_unmodelled_members(protocol: ProtonProtocol) -> None:
    status, body = call(protocol, "CreateEnvironmentTemplate", {"name": "t1"})
    assert status == 200
    template = body["environmentTemplate"]
    assert template["createdAt"] == pytest.approx(T0.timestamp())
    assert "internalOnly" not in template and "description" not in template  # None members are dropped
    assert template["arn"] == "arn:aws:proton:eu-west-1:111122223333:environment-template/t1"
    assert conformance.check_output("CreateEnvironmentTemplate", body) == []


def test_modelled_error_has_type_and_message(protocol: ProtonProtocol) -> None:
    status, body = call(protocol, "GetEnvironmentTemplate", {"name": "missing"})
    assert (status, body) == (
        400,
        {"__type": "ResourceNotFoundException", "message": "environment template missing not found"},
    )


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"name": "x" * 101}, "length less than or equal to 100"),
        ({"name": "bad$name"}, "regular expression pattern"),
        ({"name": "ok", "provisioning": "BOGUS"}, "enum value set: [CUSTOMER_MANAGED]"),
        (
            {"name": "ok", "tags": [{"key": "k"}]},
            "'tags.1.value' failed to satisfy constraint: Member must not be null",
        ),
    ],
)
def test_server_enforces_what_botocore_does_not(protocol: ProtonProtocol, body: dict, fragment: str) -> None:
    status, reply = call(protocol, "CreateEnvironmentTemplate", body)
    assert status == 400 and reply["__type"] == "ValidationException"
    assert reply["message"].startswith("1 validation error detected: ") and fragment in reply["message"]


@pytest.mark.parametrize("max_results", [0, 101])
def test_max_results_outside_1_to_100_is_refused(protocol: ProtonProtocol, max_results: int) -> None:
    status, reply = call(protocol, "ListEnvironments", {"maxResults": max_results})
    assert status == 400 and reply["__type"] == "ValidationException" and "maxResults" in reply["message"]


def test_unknown_target_and_bad_json(protocol: ProtonProtocol) -> None:
    reply = protocol.handle("AwsProton20200720.DescribeNothing", b"{}", "1", "us-east-1")
    assert reply.status == 400 and json.loads(reply.body)["__type"] == "UnknownOperationException"
    status, body = call(protocol, "ListEnvironments", b"{not json")
    assert status == 400 and body["__type"] == "SerializationException"


def test_backend_bug_is_an_internal_server_exception(protocol: ProtonProtocol) -> None:
    status, body = call(protocol, "GetResourcesSummary", {})
    assert status == 500 and body["__type"] == "InternalServerException"


def test_pages_walk_the_whole_list_with_server_page_size(protocol: ProtonProtocol) -> None:
    names, token, pages = [], None, 0
    while True:
        _, body = call(protocol, "ListEnvironments", {"nextToken": token} if token else {})
        names += [e["name"] for e in body["environments"]]
        pages += 1
        token = body.get("nextToken")
        if not token:
            break
    assert names == [f"env{i:02d}" for i in range(7)] and pages == 3


def test_page_tokens_are_bound_to_operation_filters_and_untampered(protocol: ProtonProtocol) -> None:
    _, first = call(protocol, "ListEnvironments", {"maxResults": 2})
    token = first["nextToken"]
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+=/")
    _, second = call(protocol, "ListEnvironments", {"maxResults": 2, "nextToken": token})
    assert [e["name"] for e in second["environments"]] == ["env02", "env03"]
    raw = bytearray(base64.b64decode(token))
    raw[3] ^= 1  # another offset, same MAC
    forged = base64.b64encode(bytes(raw)).decode()
    filtered = {"environmentTemplates": [{"templateName": "other", "majorVersion": "1"}]}
    for op, body in [
        ("ListEnvironments", {"nextToken": forged}),
        ("ListEnvironmentTemplates", {"nextToken": token}),
        ("ListEnvironments", {**filtered, "nextToken": token}),
        ("ListEnvironments", {"nextToken": "bm90IGEgdG9rZW4="}),
    ]:
        status, reply = call(protocol, op, body)
        assert (status, reply["__type"]) == (400, "ValidationException"), op


def test_token_from_another_server_secret_is_refused() -> None:
    token = PageTokens(b"a" * 32).issue("ListEnvironments", {}, 2)
    with pytest.raises(Exception, match="nextToken"):
        PageTokens(b"b" * 32).offset("ListEnvironments", {}, token)


def test_paginators_without_limit_key_return_one_page(protocol: ProtonProtocol) -> None:
    _, body = call(protocol, "ListEnvironmentOutputs", {"environmentName": "e"})
    assert len(body["outputs"]) == 5 and "nextToken" not in body


def test_over_http_the_real_client_paginates_and_sees_modelled_errors(fake_server) -> None:
    proton = make_client(fake_server.url, region="eu-west-1")
    pages = list(proton.get_paginator("list_environments").paginate(PaginationConfig={"PageSize": 2}))
    assert [len(p["environments"]) for p in pages] == [2, 2, 2, 1]
    assert pages[0]["environments"][0]["createdAt"] == T0
    with pytest.raises(ClientError) as exc:
        proton.get_environment_template(name="nope")
    assert exc.value.response["Error"] == {
        "Code": "ResourceNotFoundException",
        "Message": "environment template nope not found",
    }
    assert isinstance(exc.value, proton.exceptions.ResourceNotFoundException)
    (key,) = [k for k, _ in fake_server.backends()]
    assert key == ("123456789012", "eu-west-1")  # moto's account for an unknown key; Region from SigV4


def test_conformance_checker_flags_each_kind_of_problem() -> None:
    body = {
        "environmentTemplate": {
            "name": "x" * 101,
            "arn": "arn:aws:proton:r:1:environment-template/x",
            "createdAt": "yesterday",
            "provisioning": "SELF",
            "extra": 1,
        }
    }
    problems = conformance.check_output("GetEnvironmentTemplate", body)
    text = "\n".join(problems)
    for fragment in [
        "length less than or equal to 100",
        "'environmentTemplate.createdAt'",
        "enum value set",
        "'environmentTemplate.lastModifiedAt' failed to satisfy constraint: Member must not be null",
        "'environmentTemplate.extra'",
    ]:
        assert fragment in text


def test_an_error_outside_the_operations_model_is_answered_as_validation_and_recorded() -> None:
    from proton_exodus.engine.errors import ResourceNotFoundException

    class Backend:
        def create_service_sync_config(self, **_: object) -> None:
            raise ResourceNotFoundException("Service svc not found")

        def get_service_sync_config(self, **_: object) -> None:
            raise ResourceNotFoundException("Service sync config of svc not found")

    protocol = ProtonProtocol(lambda account, region: Backend())
    body = {
        "serviceName": "svc",
        "repositoryName": "org/r",
        "repositoryProvider": "GITHUB",
        "branch": "main",
        "filePath": "ops.yaml",
    }
    status, answer = call(protocol, "CreateServiceSyncConfig", body)
    assert (status, answer) == (400, {"__type": "ValidationException", "message": "Service svc not found"})
    assert protocol.unmodelled == [
        "CreateServiceSyncConfig: ResourceNotFoundException: Service svc not found"
    ]
    status, answer = call(protocol, "GetServiceSyncConfig", {"serviceName": "svc"})
    assert answer["__type"] == "ResourceNotFoundException"  # modelled for this operation: unchanged
    assert len(protocol.unmodelled) == 1
