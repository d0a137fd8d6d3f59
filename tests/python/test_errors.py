"""Error behaviour: MlflowException error codes through the client, and raw-HTTP edge cases
(malformed JSON, wrong types, path traversal, unknown routes, /health, /version)."""

from __future__ import annotations

import http.client
import json
import re
import time
import uuid

import mlflow
import pytest
from mlflow.entities import Metric, Param, RunTag

from conftest import SECRET_TOKEN, assert_error_response, raises_mlflow

# ----------------------------------------------------------------------------- helpers


def raw_request(server, method, target, body=None, headers=None):
    """Send `target` byte-for-byte (no client-side `..` normalisation, no re-encoding)."""
    conn = http.client.HTTPConnection(server.host, server.port, timeout=30)
    try:
        conn.putrequest(method, target, skip_accept_encoding=True)
        hdrs = dict(headers or {})
        if body is not None:
            hdrs.setdefault("Content-Length", str(len(body)))
        for k, v in hdrs.items():
            conn.putheader(k, v)
        conn.endheaders()
        if body is not None:
            conn.send(body)
        resp = conn.getresponse()
        return resp.status, resp.read(), dict(resp.getheaders())
    finally:
        conn.close()


def _invalid_path(status, body):
    assert status == 400, f"expected 400, got {status}: {body[:300]!r}"
    assert SECRET_TOKEN.encode() not in body, "path traversal leaked a file outside the store"
    parsed = json.loads(body)
    # MLflow's body is {"error_code": "INVALID_PARAMETER_VALUE", "message": "Invalid path"}
    # (MLflow 3.17 adds "sqlstate"/"error_class"; extra keys are fine).
    assert parsed.get("error_code") == "INVALID_PARAMETER_VALUE", parsed
    assert parsed.get("message") == "Invalid path", parsed


@pytest.fixture
def run_id(client, experiment):
    return client.create_run(experiment.experiment_id).info.run_id


@pytest.fixture
def model_with_version(client, experiment, unique):
    lm = client.create_logged_model(experiment.experiment_id, name="tiny")
    client.finalize_logged_model(lm.model_id, "READY")
    name = unique("err-rm")
    mv = mlflow.register_model(f"models:/{lm.model_id}", name)
    assert str(mv.version) == "1"
    return name


# ----------------------------------------------------------------------------- client errors


def test_get_run_unknown(client):
    with raises_mlflow("RESOURCE_DOES_NOT_EXIST", match=r"Run .+ not found"):
        client.get_run(uuid.uuid4().hex)


def test_get_experiment_unknown(client):
    with raises_mlflow("RESOURCE_DOES_NOT_EXIST"):
        client.get_experiment("987654321")
    # the client maps RESOURCE_DOES_NOT_EXIST on get-by-name to None
    assert client.get_experiment_by_name(f"missing-{uuid.uuid4().hex}") is None


def test_duplicate_experiment(client, unique):
    name = unique("dup")
    client.create_experiment(name)
    with raises_mlflow("RESOURCE_ALREADY_EXISTS"):
        client.create_experiment(name)
    # still exactly one experiment with that name
    assert len(client.search_experiments(filter_string=f"name = '{name}'")) == 1


def test_relog_param_with_different_value(client, run_id):
    client.log_param(run_id, "lr", "0.1")
    with raises_mlflow("INVALID_PARAMETER_VALUE"):
        client.log_param(run_id, "lr", "0.2")
    assert client.get_run(run_id).data.params == {"lr": "0.1"}

    # same through log_batch
    with raises_mlflow("INVALID_PARAMETER_VALUE"):
        client.log_batch(run_id, params=[Param("lr", "0.3")])
    assert client.get_run(run_id).data.params == {"lr": "0.1"}


def test_duplicate_param_keys_in_one_batch(client, run_id):
    with raises_mlflow("INVALID_PARAMETER_VALUE"):
        client.log_batch(run_id, params=[Param("k", "1"), Param("k", "2")])


@pytest.mark.parametrize("alias", ["latest", "LATEST", "v1", "V12"])
def test_reserved_alias_names_rejected(client, model_with_version, alias):
    # reserved names pass the client's character check: only the server can reject them
    with raises_mlflow("INVALID_PARAMETER_VALUE"):
        client.set_registered_model_alias(model_with_version, alias, "1")
    assert client.get_registered_model(model_with_version).aliases == {}


@pytest.mark.parametrize("alias", ["bad alias", "semi;colon", "dot.ted"])
def test_invalid_alias_characters_rejected_by_server(api, model_with_version, alias):
    # the Python client validates characters locally, so talk to the server directly
    resp = api.post(
        "/api/2.0/mlflow/registered-models/alias",
        json={"name": model_with_version, "alias": alias, "version": "1"},
    )
    assert_error_response(resp, 400, "INVALID_PARAMETER_VALUE")


def test_alias_on_missing_version(client, model_with_version):
    with pytest.raises(mlflow.exceptions.MlflowException) as e:
        client.set_registered_model_alias(model_with_version, "champion", "42")
    assert e.value.error_code in ("RESOURCE_DOES_NOT_EXIST", "INVALID_PARAMETER_VALUE")


def test_log_batch_limits(client, run_id):
    # MlflowClient.log_batch splits big batches, so call the REST store directly to send one
    store = client._tracking_client.store
    now = int(time.time() * 1000)
    with raises_mlflow("INVALID_PARAMETER_VALUE", match="1000"):
        store.log_batch(run_id, metrics=[Metric(f"m{i}", 1.0, now, 0) for i in range(1001)], params=[], tags=[])
    with raises_mlflow("INVALID_PARAMETER_VALUE", match="100"):
        store.log_batch(run_id, metrics=[], params=[Param(f"p{i}", "x") for i in range(101)], tags=[])
    with raises_mlflow("INVALID_PARAMETER_VALUE", match="100"):
        store.log_batch(run_id, metrics=[], params=[], tags=[RunTag(f"t{i}", "x") for i in range(101)])
    with raises_mlflow("INVALID_PARAMETER_VALUE"):
        store.log_batch(
            run_id,
            metrics=[Metric(f"m{i}", 1.0, now, 0) for i in range(950)],
            params=[Param(f"p{i}", "x") for i in range(60)],
            tags=[],
        )
    # rejected batches are not partially applied
    data = client.get_run(run_id).data
    assert data.metrics == {} and data.params == {}
    assert not any(k.startswith("t") and k[1:].isdigit() for k in data.tags)

    # exactly at the limit is fine
    store.log_batch(run_id, metrics=[Metric(f"m{i}", float(i), now, 0) for i in range(1000)], params=[], tags=[])
    assert len(client.get_run(run_id).data.metrics) == 1000


# MLflow rejects keys that are not a normalised relative path (posixpath.normpath(key) != key)
@pytest.mark.parametrize(
    "key", ["bad?key", "bad*key", "semi;colon", "../escape", "/absolute", "a//b", "trailing/", "a/./b"]
)
def test_invalid_metric_key(client, run_id, key):
    with raises_mlflow("INVALID_PARAMETER_VALUE"):
        client.log_metric(run_id, key, 1.0)
    assert client.get_run(run_id).data.metrics == {}


@pytest.mark.parametrize("key", ["bad?key", "../escape", "a//b"])
def test_invalid_param_and_tag_key(client, run_id, key):
    with raises_mlflow("INVALID_PARAMETER_VALUE"):
        client.log_param(run_id, key, "v")
    with raises_mlflow("INVALID_PARAMETER_VALUE"):
        client.set_tag(run_id, key, "v")


def test_overlong_param_value_truncated_or_rejected(client, run_id):
    # MLflow 3.x truncates over-long param values to 6000 chars (MLFLOW_TRUNCATE_LONG_VALUES,
    # on by default); older servers reject them. Either is compatible, storing more is not.
    try:
        client.log_param(run_id, "huge", "x" * 6001)
    except mlflow.exceptions.MlflowException as e:
        assert e.error_code == "INVALID_PARAMETER_VALUE"
        assert "huge" not in client.get_run(run_id).data.params
    else:
        assert client.get_run(run_id).data.params["huge"] == "x" * 6000


def test_overlong_keys_rejected(client, run_id):
    key = "k" * 251
    with raises_mlflow("INVALID_PARAMETER_VALUE"):
        client.log_param(run_id, key, "v")
    with raises_mlflow("INVALID_PARAMETER_VALUE"):
        client.log_metric(run_id, key, 1.0)
    with raises_mlflow("INVALID_PARAMETER_VALUE"):
        client.set_tag(run_id, key, "v")
    data = client.get_run(run_id).data
    assert key not in data.params and key not in data.metrics and key not in data.tags


def test_log_to_deleted_run(client, run_id):
    client.delete_run(run_id)
    with raises_mlflow("INVALID_PARAMETER_VALUE", match="active"):
        client.log_metric(run_id, "m", 1.0)
    with raises_mlflow("INVALID_PARAMETER_VALUE"):
        client.log_param(run_id, "p", "1")
    with raises_mlflow("INVALID_PARAMETER_VALUE"):
        client.set_tag(run_id, "t", "1")


def test_registry_not_found_errors(client, unique):
    missing = unique("missing")
    with raises_mlflow("RESOURCE_DOES_NOT_EXIST"):
        client.get_registered_model(missing)
    with raises_mlflow("RESOURCE_DOES_NOT_EXIST"):
        client.get_model_version(missing, "1")
    with raises_mlflow("RESOURCE_DOES_NOT_EXIST"):
        client.delete_registered_model(missing)


def test_duplicate_registered_model(client, unique):
    name = unique("dup-rm")
    client.create_registered_model(name)
    with raises_mlflow("RESOURCE_ALREADY_EXISTS"):
        client.create_registered_model(name)


def test_model_version_unknown_on_existing_model(client, model_with_version):
    with raises_mlflow("RESOURCE_DOES_NOT_EXIST"):
        client.get_model_version(model_with_version, "99")


def test_search_runs_bad_filter_and_limits(client, experiment):
    eid = experiment.experiment_id
    for bad in ["metrics.acc >>> 1", "foo.bar = 1", "params.lr = 0.1 OR params.lr = 0.2", "metrics.acc = 'x'"]:
        with raises_mlflow("INVALID_PARAMETER_VALUE"):
            client.search_runs([eid], filter_string=bad)
    with raises_mlflow("INVALID_PARAMETER_VALUE"):
        client.search_runs([eid], max_results=50001)
    with raises_mlflow("INVALID_PARAMETER_VALUE"):
        client.search_runs([eid], order_by=["metrics.acc SIDEWAYS"])


def test_get_logged_model_unknown(client):
    with raises_mlflow("RESOURCE_DOES_NOT_EXIST"):
        client.get_logged_model(f"m-{uuid.uuid4().hex}")


# ----------------------------------------------------------------------------- raw HTTP


def test_health_and_version(api):
    health = api.get("/health")
    assert health.status_code == 200
    assert health.text.strip() == "OK"
    version = api.get("/version")
    assert version.status_code == 200
    assert re.fullmatch(r"\d+\.\d+\.\d+([-.+][0-9A-Za-z.+-]+)?", version.text.strip()), version.text


def test_malformed_json_experiment_create(api, client, unique):
    name = unique("malformed")
    body = '{"name": "' + name + '"'  # truncated JSON
    resp = api.post(
        "/api/2.0/mlflow/experiments/create", data=body, headers={"Content-Type": "application/json"}
    )
    assert_error_response(resp, 400, ("BAD_REQUEST", "INVALID_PARAMETER_VALUE"))
    assert client.get_experiment_by_name(name) is None


MALFORMED_BODIES = [
    ("runs/log-batch", '{"run_id": "RUN", "params": [{"key": "new", "value": "2"}], "metrics": ['),
    ("runs/log-parameter", "not json at all"),
    ("runs/log-parameter", '{"run_id": "RUN", "key": "new", "value": "2"'),
    ("runs/log-metric", '{"run_id": }'),
    ("runs/set-tag", "[1, 2, 3"),
]


@pytest.mark.parametrize("endpoint, body", MALFORMED_BODIES)
def test_malformed_json_leaves_run_unchanged(api, client, run_id, endpoint, body):
    client.log_param(run_id, "keep", "1")
    client.log_metric(run_id, "m", 1.0)
    before = client.get_run(run_id).data
    resp = api.post(
        f"/api/2.0/mlflow/{endpoint}",
        data=body.replace("RUN", run_id),
        headers={"Content-Type": "application/json"},
    )
    assert_error_response(resp, 400, ("BAD_REQUEST", "INVALID_PARAMETER_VALUE"))
    after = client.get_run(run_id).data
    assert after.params == before.params == {"keep": "1"}
    assert after.metrics == before.metrics == {"m": 1.0}
    assert after.tags == before.tags


def test_wrong_field_types(api, run_id):
    resp = api.post("/api/2.0/mlflow/experiments/create", json={"name": 123})
    assert_error_response(resp, 400, "INVALID_PARAMETER_VALUE", "Invalid value 123 for parameter 'name'")

    resp = api.post("/api/2.0/mlflow/experiments/create", json={})
    assert_error_response(resp, 400, "INVALID_PARAMETER_VALUE", "Missing value for required parameter 'name'")

    resp = api.post("/api/2.0/mlflow/runs/set-tag", json={"run_id": run_id, "key": "k", "value": 41})
    assert_error_response(resp, 400, "INVALID_PARAMETER_VALUE", "Invalid value 41 for parameter 'value'")

    resp = api.post("/api/2.0/mlflow/runs/log-metric", json={"run_id": run_id, "key": "k", "value": "abc", "timestamp": 1})
    assert_error_response(resp, 400, "INVALID_PARAMETER_VALUE")

    resp = api.post("/api/2.0/mlflow/runs/log-batch", json={"run_id": run_id, "metrics": "foo"})
    assert_error_response(resp, 400, "INVALID_PARAMETER_VALUE")

    resp = api.get("/api/2.0/mlflow/runs/get")  # missing run_id
    assert_error_response(resp, 400, "INVALID_PARAMETER_VALUE")


def test_metric_history_bad_page_token(api, run_id):
    resp = api.get(
        "/api/2.0/mlflow/metrics/get-history",
        params={"run_id": run_id, "metric_key": "m", "max_results": 5, "page_token": "!!not-a-token!!"},
    )
    assert_error_response(resp, 400, "INVALID_PARAMETER_VALUE")


def test_search_runs_bad_page_token(api, experiment):
    resp = api.post(
        "/api/2.0/mlflow/runs/search",
        json={"experiment_ids": [experiment.experiment_id], "page_token": "garbage$$"},
    )
    assert_error_response(resp, 400, "INVALID_PARAMETER_VALUE")


def test_unknown_endpoint_and_wrong_method(api):
    for method in ("GET", "POST"):
        resp = api(method, "/api/2.0/mlflow/definitely-not-an-endpoint", json={} if method == "POST" else None)
        assert resp.status_code == 404, (method, resp.status_code, resp.text[:200])
    resp = api.get("/api/2.0/mlflow/runs/create")  # POST-only RPC
    assert resp.status_code in (404, 405), resp.status_code

    # the client maps an unknown endpoint to ENDPOINT_NOT_FOUND
    from mlflow.utils.rest_utils import MlflowHostCreds, http_request, verify_rest_response

    creds = MlflowHostCreds(api.base)
    r = http_request(creds, "/api/2.0/mlflow/definitely-not-an-endpoint", "GET")
    with raises_mlflow("ENDPOINT_NOT_FOUND"):
        verify_rest_response(r, "/api/2.0/mlflow/definitely-not-an-endpoint")


ARTIFACTS = "/api/2.0/mlflow-artifacts/artifacts"

TRAVERSAL_TARGETS = [
    f"{ARTIFACTS}/../secret.txt",
    f"{ARTIFACTS}/../../secret.txt",
    f"{ARTIFACTS}/a/../../secret.txt",
    f"{ARTIFACTS}/%2e%2e%2fsecret.txt",
    f"{ARTIFACTS}/%2E%2E%2Fsecret.txt",
    f"{ARTIFACTS}/..%2fsecret.txt",
    f"{ARTIFACTS}/a/%2e%2e/%2e%2e/secret.txt",
    f"{ARTIFACTS}/%252e%252e%252fsecret.txt",  # double-encoded
    f"{ARTIFACTS}/%2Fetc%2Fpasswd",  # absolute path
    f"{ARTIFACTS}?path=..",
    f"{ARTIFACTS}?path=../..",
    f"{ARTIFACTS}?path=a/../..",
    f"{ARTIFACTS}?path=%2e%2e%2f%2e%2e",
    f"{ARTIFACTS}?path=/etc",
    f"{ARTIFACTS}?path=%2Fetc",
]


@pytest.mark.parametrize("target", TRAVERSAL_TARGETS)
def test_path_traversal_get_rejected(capstan_server, target):
    status, body, _ = raw_request(capstan_server, "GET", target)
    _invalid_path(status, body)


@pytest.mark.parametrize(
    "target",
    [f"{ARTIFACTS}/../pwned.txt", f"{ARTIFACTS}/%2e%2e%2fpwned.txt", f"{ARTIFACTS}/a/../../pwned.txt"],
)
def test_path_traversal_put_rejected(capstan_server, target):
    status, body, _ = raw_request(
        capstan_server, "PUT", target, body=b"owned", headers={"Content-Type": "text/plain"}
    )
    _invalid_path(status, body)
    if capstan_server.managed:
        assert not (capstan_server.workdir / "pwned.txt").exists()


def test_path_traversal_delete_rejected(capstan_server):
    status, body, _ = raw_request(capstan_server, "DELETE", f"{ARTIFACTS}/../secret.txt")
    _invalid_path(status, body)
    if capstan_server.managed:
        assert (capstan_server.workdir / "secret.txt").read_text() == SECRET_TOKEN


def test_path_traversal_tracking_artifact_list(capstan_server, run_id):
    status, body, _ = raw_request(
        capstan_server, "GET", f"/api/2.0/mlflow/artifacts/list?run_id={run_id}&path=../.."
    )
    _invalid_path(status, body)


def test_create_run_in_deleted_experiment(client, unique):
    eid = client.create_experiment(unique("gone"))
    client.delete_experiment(eid)
    with raises_mlflow("INVALID_PARAMETER_VALUE"):
        client.create_run(eid)


def test_rename_to_existing_names(client, unique):
    a, b = unique("exp-a"), unique("exp-b")
    eid = client.create_experiment(a)
    client.create_experiment(b)
    with pytest.raises(mlflow.exceptions.MlflowException) as e:
        client.rename_experiment(eid, b)
    # MLflow 3.17's SQL store leaks the IntegrityError as BAD_REQUEST; both are HTTP 400
    assert e.value.error_code in ("RESOURCE_ALREADY_EXISTS", "BAD_REQUEST")
    assert client.get_experiment(eid).name == a

    ma, mb = unique("rm-a"), unique("rm-b")
    client.create_registered_model(ma)
    client.create_registered_model(mb)
    with raises_mlflow("RESOURCE_ALREADY_EXISTS"):
        client.rename_registered_model(ma, mb)
    assert client.get_registered_model(ma).name == ma
