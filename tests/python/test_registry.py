"""Model registry through the official mlflow client (MlflowClient + fluent API)."""

from __future__ import annotations

import json
import os
import uuid
import warnings
from types import SimpleNamespace

import mlflow
import numpy as np
import pytest
from mlflow import MlflowClient

from conftest import PIP_REQS, raises_mlflow


@pytest.fixture(scope="module")
def registered(capstan_server, iris, sklearn_models):
    """Two runs, each `mlflow.sklearn.log_model(..., registered_model_name=NAME)`."""
    X, _ = iris
    model_a, model_b = sklearn_models
    client = MlflowClient()
    eid = client.create_experiment(f"registry-{uuid.uuid4().hex[:12]}")
    name = f"rm-{uuid.uuid4().hex[:12]}"

    with mlflow.start_run(experiment_id=eid) as run1:
        mlflow.log_metric("acc", 0.66)
        info1 = mlflow.sklearn.log_model(
            model_a,
            name="model",
            registered_model_name=name,
            input_example=X.head(3),
            pip_requirements=PIP_REQS,
        )
    with mlflow.start_run(experiment_id=eid) as run2:
        mlflow.log_metric("acc", 0.97)
        info2 = mlflow.sklearn.log_model(
            model_b, name="model", registered_model_name=name, pip_requirements=PIP_REQS
        )
    return SimpleNamespace(
        name=name,
        eid=eid,
        X=X,
        model_a=model_a,
        model_b=model_b,
        run1=run1.info.run_id,
        run2=run2.info.run_id,
        info1=info1,
        info2=info2,
    )


def _versions(client, name):
    return {mv.version: mv for mv in client.search_model_versions(f"name='{name}'")}


def _new_model_with_versions(client, unique, registered, n):
    """A fresh registered model with `n` versions, all pointing at model_a's logged model."""
    name = unique("rm")
    for _ in range(n):
        mlflow.register_model(registered.info1.model_uri, name)
    return name


# ----------------------------------------------------------------------------- log_model flow


def test_log_model_registers_incrementing_versions(client, registered):
    # (a string over REST, an int with a local store: compare as text)
    assert str(registered.info1.registered_model_version) == "1"
    assert str(registered.info2.registered_model_version) == "2"

    rm = client.get_registered_model(registered.name)
    assert rm.name == registered.name
    assert rm.creation_timestamp > 0

    versions = _versions(client, registered.name)
    assert set(versions) == {"1", "2"}
    for version, info, run_id in (("1", registered.info1, registered.run1), ("2", registered.info2, registered.run2)):
        mv = versions[version]
        assert mv.status == "READY"
        assert mv.run_id == run_id
        assert mv.source == f"models:/{info.model_id}"
        assert mv.current_stage == "None"

    mv = client.get_model_version(registered.name, "2")
    assert mv.version == "2" and mv.run_id == registered.run2

    # the client records the registration on the logged model as a tag
    lm = client.get_logged_model(registered.info1.model_id)
    regs = json.loads(lm.tags["mlflow.modelVersions"])
    assert {"name": registered.name, "version": "1"} in [
        {"name": r["name"], "version": str(r["version"])} for r in regs
    ]


def test_model_version_download_uri_is_logged_model_location(client, registered):
    for version, info in (("1", registered.info1), ("2", registered.info2)):
        uri = client.get_model_version_download_uri(registered.name, version)
        assert uri == client.get_logged_model(info.model_id).artifact_location
        assert uri.startswith("mlflow-artifacts:/")


def test_load_model_by_alias_and_version(client, registered, tmp_path):
    X = registered.X
    client.set_registered_model_alias(registered.name, "champion", "1")

    by_alias = mlflow.pyfunc.load_model(f"models:/{registered.name}@champion")
    np.testing.assert_array_equal(np.asarray(by_alias.predict(X)), registered.model_a.predict(X))

    v2 = mlflow.pyfunc.load_model(f"models:/{registered.name}/2")
    np.testing.assert_array_equal(np.asarray(v2.predict(X)), registered.model_b.predict(X))

    v1 = mlflow.sklearn.load_model(f"models:/{registered.name}/1")
    np.testing.assert_array_equal(v1.predict(X), registered.model_a.predict(X))

    local = mlflow.artifacts.download_artifacts(f"models:/{registered.name}@champion", dst_path=str(tmp_path))
    files = set(os.listdir(local))
    assert {"MLmodel", "input_example.json"} <= files, files
    assert any(f.startswith("model.") for f in files), files


def test_load_latest_version(registered):
    latest = mlflow.pyfunc.load_model(f"models:/{registered.name}/latest")
    X = registered.X
    np.testing.assert_array_equal(np.asarray(latest.predict(X)), registered.model_b.predict(X))


def test_register_model_from_runs_uri(client, registered, unique):
    name = unique("from-run")
    mv = mlflow.register_model(f"runs:/{registered.run1}/model", name)
    assert str(mv.version) == "1"
    assert mv.status == "READY"
    # MLflow 3: the run has no `model` artifact dir, so the client resolves the logged model
    assert mv.source == f"models:/{registered.info1.model_id}"
    assert mv.run_id == registered.run1

    mv2 = mlflow.register_model(f"runs:/{registered.run2}/model", name)
    assert str(mv2.version) == "2"

    loaded = mlflow.pyfunc.load_model(f"models:/{name}/1")
    X = registered.X
    np.testing.assert_array_equal(np.asarray(loaded.predict(X)), registered.model_a.predict(X))


def test_register_model_from_run_artifacts(client, registered, unique, tmp_path):
    """Legacy layout: a model saved locally and logged as plain run artifacts."""
    local = tmp_path / "legacy_model"
    mlflow.sklearn.save_model(registered.model_b, str(local), pip_requirements=PIP_REQS)
    with mlflow.start_run(experiment_id=registered.eid) as run:
        mlflow.log_artifacts(str(local), artifact_path="legacy_model")
    name = unique("legacy")
    mv = mlflow.register_model(f"runs:/{run.info.run_id}/legacy_model", name)
    assert str(mv.version) == "1"
    assert mv.run_id == run.info.run_id
    assert mv.source == f"{run.info.artifact_uri}/legacy_model"
    loaded = mlflow.pyfunc.load_model(f"models:/{name}/1")
    X = registered.X
    np.testing.assert_array_equal(np.asarray(loaded.predict(X)), registered.model_b.predict(X))


# ----------------------------------------------------------------------------- registered models


def test_registered_model_crud(client, unique):
    name = unique("crud")
    created = client.create_registered_model(name, tags={"team": "ml"}, description="first")
    assert created.name == name
    rm = client.get_registered_model(name)
    assert rm.description == "first"
    assert rm.tags == {"team": "ml"}
    assert rm.latest_versions == []

    updated = client.update_registered_model(name, description="second")
    assert updated.description == "second"
    assert client.get_registered_model(name).description == "second"

    client.set_registered_model_tag(name, "stage", "dev")
    client.delete_registered_model_tag(name, "team")
    assert client.get_registered_model(name).tags == {"stage": "dev"}

    new = unique("crud-renamed")
    client.rename_registered_model(name, new)  # (MlflowClient discards the response)
    assert client.get_registered_model(new).description == "second"
    with raises_mlflow("RESOURCE_DOES_NOT_EXIST"):
        client.get_registered_model(name)

    client.delete_registered_model(new)
    with raises_mlflow("RESOURCE_DOES_NOT_EXIST"):
        client.get_registered_model(new)


def test_search_registered_models(client, unique):
    prefix = unique("srch")
    names = [f"{prefix}-{c}" for c in "abcd"]
    for n in names:
        client.create_registered_model(n, tags={"letter": n[-1]})

    got = client.search_registered_models(filter_string=f"name LIKE '{prefix}%'")
    assert sorted(m.name for m in got) == names
    got = client.search_registered_models(filter_string=f"name = '{names[2]}'")
    assert [m.name for m in got] == [names[2]]
    got = client.search_registered_models(filter_string=f"name ILIKE '{prefix.upper()}%'")
    assert sorted(m.name for m in got) == names
    got = client.search_registered_models(
        filter_string=f"name LIKE '{prefix}%' AND tags.letter = 'b'"
    )
    assert [m.name for m in got] == [names[1]]
    got = client.search_registered_models(
        filter_string=f"name LIKE '{prefix}%'", order_by=["name DESC"]
    )
    assert [m.name for m in got] == names[::-1]

    seen, sizes, token = [], [], None
    while True:
        page = client.search_registered_models(
            filter_string=f"name LIKE '{prefix}%'", max_results=3, order_by=["name ASC"], page_token=token
        )
        sizes.append(len(page))
        seen.extend(m.name for m in page)
        token = page.token
        if not token:
            break
        assert len(sizes) < 10
    assert sizes == [3, 1]
    assert seen == names


def test_search_registered_models_excludes_prompts(client, api, unique):
    """MlflowClient.search_registered_models always appends
    "tag.`mlflow.prompt.is_prompt` != 'true'" to the filter: models WITHOUT that tag must
    still match, prompts must not."""
    prefix = unique("prm")
    plain = f"{prefix}-model"
    client.create_registered_model(plain)
    resp = api.post(
        "/api/2.0/mlflow/registered-models/create",
        json={"name": f"{prefix}-prompt", "tags": [{"key": "mlflow.prompt.is_prompt", "value": "true"}]},
    )
    assert resp.status_code == 200, resp.text

    assert [m.name for m in client.search_registered_models(filter_string=f"name LIKE '{prefix}%'")] == [plain]
    # no filter at all: the page must not be empty and paging must reach our model
    found, token = False, None
    for _ in range(1000):
        page = client.search_registered_models(max_results=100, page_token=token)
        assert len(page) > 0
        found = found or plain in {m.name for m in page}
        token = page.token
        if found or not token:
            break
    assert found


def test_model_version_tags_description_and_search(client, registered, unique):
    name = _new_model_with_versions(client, unique, registered, 3)
    client.set_model_version_tag(name, "1", "validated", "yes")
    client.set_model_version_tag(name, "2", "validated", "no")
    client.set_model_version_tag(name, "2", "tmp", "x")
    client.delete_model_version_tag(name, "2", "tmp")
    assert client.get_model_version(name, "1").tags == {"validated": "yes"}
    assert client.get_model_version(name, "2").tags == {"validated": "no"}

    mv = client.update_model_version(name, "3", description="third one")
    assert mv.description == "third one"
    assert client.get_model_version(name, "3").description == "third one"

    assert set(_versions(client, name)) == {"1", "2", "3"}
    got = client.search_model_versions(f"name='{name}' AND tags.validated = 'yes'")
    assert [m.version for m in got] == ["1"]
    got = client.search_model_versions(f"name = '{name}' AND version_number > 1")
    assert sorted(m.version for m in got) == ["2", "3"]
    got = client.search_model_versions(f"run_id = '{registered.run1}' AND name = '{name}'")
    assert sorted(m.version for m in got) == ["1", "2", "3"]
    got = client.search_model_versions(f"name='{name}'", order_by=["version_number ASC"])
    assert [m.version for m in got] == ["1", "2", "3"]

    latest = client.get_registered_model(name).latest_versions
    assert [m.version for m in latest] == ["3"]  # newest version of stage "None"


def test_aliases(client, registered, unique):
    name = _new_model_with_versions(client, unique, registered, 2)
    client.set_registered_model_alias(name, "champion", "1")
    client.set_registered_model_alias(name, "challenger", "2")

    assert client.get_registered_model(name).aliases == {"champion": "1", "challenger": "2"}
    assert client.get_model_version(name, "1").aliases == ["champion"]
    mv = client.get_model_version_by_alias(name, "champion")
    assert mv.version == "1" and mv.name == name

    # re-pointing an alias moves it
    client.set_registered_model_alias(name, "champion", "2")
    assert client.get_model_version_by_alias(name, "champion").version == "2"
    assert client.get_model_version(name, "1").aliases == []
    assert sorted(client.get_model_version(name, "2").aliases) == ["challenger", "champion"]

    client.delete_registered_model_alias(name, "champion")
    assert client.get_registered_model(name).aliases == {"challenger": "2"}
    with pytest.raises(mlflow.exceptions.MlflowException, match="champion"):
        client.get_model_version_by_alias(name, "champion")


def test_missing_alias_error_code(client, registered, unique):
    name = _new_model_with_versions(client, unique, registered, 1)
    # MLflow's SQL store reports an unknown alias as INVALID_PARAMETER_VALUE (HTTP 400):
    # "Registered model alias nope not found."
    with raises_mlflow("INVALID_PARAMETER_VALUE", match="nope"):
        client.get_model_version_by_alias(name, "nope")


def test_transition_stage_and_latest_versions(client, registered, unique):
    name = _new_model_with_versions(client, unique, registered, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # stages are deprecated in MLflow 3 but still served
        mv = client.transition_model_version_stage(name, "1", "Production")
        assert mv.current_stage == "Production"
        mv = client.transition_model_version_stage(name, "2", "Production", archive_existing_versions=True)
        assert mv.current_stage == "Production"
        assert client.get_model_version(name, "1").current_stage == "Archived"
        client.transition_model_version_stage(name, "3", "staging")  # stage names are case-insensitive
        assert client.get_model_version(name, "3").current_stage == "Staging"

        prod = client.get_latest_versions(name, stages=["Production"])
        assert [m.version for m in prod] == ["2"]
        latest = {m.current_stage: m.version for m in client.get_latest_versions(name)}
        assert latest == {"Archived": "1", "Production": "2", "Staging": "3"}

        with raises_mlflow("INVALID_PARAMETER_VALUE"):
            client.transition_model_version_stage(name, "3", "NotAStage")

    prod_model = mlflow.pyfunc.load_model(f"models:/{name}/Production")
    X = registered.X
    np.testing.assert_array_equal(np.asarray(prod_model.predict(X)), registered.model_a.predict(X))


def test_delete_version_and_model(client, registered, unique):
    name = _new_model_with_versions(client, unique, registered, 2)
    client.set_registered_model_alias(name, "keep", "2")
    client.delete_model_version(name, "2")
    with raises_mlflow("RESOURCE_DOES_NOT_EXIST"):
        client.get_model_version(name, "2")
    assert set(_versions(client, name)) == {"1"}
    # aliases pointing at a deleted version are removed with it
    assert client.get_registered_model(name).aliases == {}
    assert [m.version for m in client.get_registered_model(name).latest_versions] == ["1"]

    # a new version never reuses a deleted number (MLflow keeps max(version) + 1)
    mv = mlflow.register_model(registered.info1.model_uri, name)
    assert str(mv.version) == "3"

    client.delete_registered_model(name)
    with raises_mlflow("RESOURCE_DOES_NOT_EXIST"):
        client.get_registered_model(name)
    assert list(client.search_model_versions(f"name='{name}'")) == []
    # the logged model itself is untouched
    assert client.get_logged_model(registered.info1.model_id).model_id == registered.info1.model_id


def test_create_model_version_directly(client, registered, unique):
    name = unique("direct")
    client.create_registered_model(name)
    mv = client.create_model_version(
        name,
        source=registered.info2.model_uri,
        run_id=registered.run2,
        tags={"origin": "client"},
        description="made by create_model_version",
        model_id=registered.info2.model_id,
    )
    assert mv.version == "1"
    assert mv.status == "READY"
    assert mv.tags == {"origin": "client"}
    assert mv.description == "made by create_model_version"
    assert client.get_model_version_download_uri(name, "1") == client.get_logged_model(
        registered.info2.model_id
    ).artifact_location


def test_promotion_history_records_the_mlflow_user(client, registered, unique, tracking_uri, monkeypatch):
    """Capstan-specific: alias moves and stage changes made with MLFLOW_TRACKING_USERNAME are recorded with that user."""
    import requests

    name = _new_model_with_versions(client, unique, registered, 2)
    monkeypatch.setenv("MLFLOW_TRACKING_USERNAME", "alice")
    monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", "not-checked")
    alice = MlflowClient()
    alice.set_registered_model_alias(name, "champion", "1")
    alice.set_registered_model_alias(name, "champion", "2")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        alice.transition_model_version_stage(name, "2", "Production")
    monkeypatch.delenv("MLFLOW_TRACKING_USERNAME")
    monkeypatch.delenv("MLFLOW_TRACKING_PASSWORD")
    client.delete_registered_model_alias(name, "champion")

    resp = requests.get(f"{tracking_uri}/api/v1/registry/models/{name}/history", timeout=10)
    assert resp.status_code == 200, resp.text
    changes = [(c["kind"], c["user"], c["version"], c.get("alias"), c["before"], c["after"]) for c in resp.json()["changes"]]
    assert changes[:4] == [
        ("alias_deleted", "anonymous", 2, "champion", "2", None),
        ("stage_changed", "alice", 2, None, "None", "Production"),
        ("alias_set", "alice", 2, "champion", "1", "2"),
        ("alias_set", "alice", 1, "champion", None, "1"),
    ]
    assert [c[0] for c in changes[4:]] == ["version_created", "version_created", "model_created"]
    only_v1 = requests.get(f"{tracking_uri}/api/v1/registry/models/{name}/history?version=1", timeout=10).json()["changes"]
    assert [c["kind"] for c in only_v1] == ["alias_set", "version_created"]
    missing = requests.get(f"{tracking_uri}/api/v1/registry/models/{unique('ghost')}/history", timeout=10)
    assert missing.status_code == 404 and missing.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"
