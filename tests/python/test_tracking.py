"""Tracking API through the official mlflow client: experiments, runs, metrics,
search, datasets and MLflow 3 logged models."""

from __future__ import annotations

import json
import math
import time
import uuid

import mlflow
import numpy as np
import pandas as pd
import pytest
import yaml
from mlflow import MlflowClient
from mlflow.entities import Metric, Param, RunTag, ViewType
from mlflow.entities.logged_model_status import LoggedModelStatus

from conftest import PIP_REQS, raises_mlflow

# ----------------------------------------------------------------------------- experiments


def test_default_experiment_exists(client):
    exp = client.get_experiment("0")
    assert exp.name == "Default"
    assert exp.lifecycle_stage == "active"
    assert client.get_experiment_by_name("Default").experiment_id == "0"

    # search_experiments() (no filter) must list it; page through everything to be robust
    # against long-lived databases holding many experiments.
    found, token, pages = None, None, 0
    while found is None:
        page = client.search_experiments(max_results=200, page_token=token)
        found = next((e for e in page if e.experiment_id == "0"), None)
        token, pages = page.token, pages + 1
        if not token or pages > 500:
            break
    assert found is not None, "Default experiment missing from search_experiments()"
    assert found.name == "Default"

    names = [e.name for e in mlflow.search_experiments(filter_string="name = 'Default'")]
    assert names == ["Default"]


def test_set_experiment_creates_and_reuses(client, unique):
    name = unique("set-exp")
    assert mlflow.get_experiment_by_name(name) is None

    exp = mlflow.set_experiment(name)
    assert exp.name == name
    assert exp.experiment_id != "0"
    assert exp.lifecycle_stage == "active"

    fetched = client.get_experiment(exp.experiment_id)
    assert fetched.name == name
    # Proxied artifact storage: the client must get an mlflow-artifacts: URI, never a
    # server-local file:// path (the client would write to its own disk).
    assert fetched.artifact_location == f"mlflow-artifacts:/{exp.experiment_id}"
    assert fetched.creation_time and fetched.creation_time > 0

    # second call finds the existing experiment instead of creating another one
    assert mlflow.set_experiment(name).experiment_id == exp.experiment_id
    assert [e.experiment_id for e in client.search_experiments(filter_string=f"name = '{name}'")] == [
        exp.experiment_id
    ]

    # the run created by the fluent API goes into the active experiment
    with mlflow.start_run() as run:
        pass
    assert run.info.experiment_id == exp.experiment_id


def test_create_experiment_with_tags_and_search_by_tag(client, unique):
    name = unique("tagged")
    eid = client.create_experiment(name, tags={"team": "vision", "owner": "ada"})
    assert isinstance(eid, str) and eid
    exp = client.get_experiment(eid)
    assert exp.tags["team"] == "vision"
    assert exp.tags["owner"] == "ada"

    client.set_experiment_tag(eid, "stage", "beta")
    client.delete_experiment_tag(eid, "owner")
    tags = client.get_experiment(eid).tags
    assert tags.get("stage") == "beta"
    assert "owner" not in tags

    hits = client.search_experiments(filter_string=f"tags.stage = 'beta' AND name = '{name}'")
    assert [e.experiment_id for e in hits] == [eid]
    hits = client.search_experiments(filter_string=f"tags.stage = 'alpha' AND name = '{name}'")
    assert list(hits) == []


def test_search_experiments_filter_order_and_paging(client, unique):
    prefix = unique("page")
    ids = {client.create_experiment(f"{prefix}-{c}"): f"{prefix}-{c}" for c in "abcde"}

    everything = client.search_experiments(filter_string=f"name LIKE '{prefix}-%'")
    assert {e.experiment_id for e in everything} == set(ids)

    desc = client.search_experiments(
        filter_string=f"name LIKE '{prefix}-%'", order_by=["name DESC"]
    )
    assert [e.name for e in desc] == sorted(ids.values(), reverse=True)

    seen, token, sizes = [], None, []
    while True:
        page = client.search_experiments(
            max_results=2,
            filter_string=f"name LIKE '{prefix}-%'",
            order_by=["name ASC"],
            page_token=token,
        )
        sizes.append(len(page))
        seen.extend(e.name for e in page)
        token = page.token
        if not token:
            break
        assert len(sizes) < 10, "paging does not terminate"
    assert sizes == [2, 2, 1]
    assert seen == sorted(ids.values())


def test_experiment_rename_delete_restore(client, unique):
    old, new = unique("exp-old"), unique("exp-new")
    eid = client.create_experiment(old)

    client.rename_experiment(eid, new)
    assert client.get_experiment(eid).name == new
    assert client.get_experiment_by_name(old) is None
    assert client.get_experiment_by_name(new).experiment_id == eid

    client.delete_experiment(eid)
    assert client.get_experiment(eid).lifecycle_stage == "deleted"
    # get-by-name still finds deleted experiments (MLflow semantics); the client relies on this
    # to refuse `set_experiment` on a deleted experiment.
    by_name = client.get_experiment_by_name(new)
    assert by_name is not None and by_name.lifecycle_stage == "deleted"
    with raises_mlflow("INVALID_PARAMETER_VALUE", match="deleted"):
        mlflow.set_experiment(new)

    flt = f"name = '{new}'"
    assert list(client.search_experiments(filter_string=flt)) == []
    assert [e.experiment_id for e in client.search_experiments(view_type=ViewType.DELETED_ONLY, filter_string=flt)] == [eid]
    assert [e.experiment_id for e in client.search_experiments(view_type=ViewType.ALL, filter_string=flt)] == [eid]

    client.restore_experiment(eid)
    assert client.get_experiment(eid).lifecycle_stage == "active"
    assert [e.experiment_id for e in client.search_experiments(filter_string=flt)] == [eid]


# ----------------------------------------------------------------------------- the run flow


def test_full_fluent_run_flow(client, experiment, tmp_path):
    src = tmp_path / "src"
    (src / "nested").mkdir(parents=True)
    (src / "a.csv").write_text("x,y\n1,2\n")
    (src / "nested" / "b.txt").write_text("bee")
    single = tmp_path / "hello.txt"
    single.write_text("hello world")
    config = {"lr": 0.1, "layers": [64, 32], "name": "mlp"}
    run_name = f"flow-{uuid.uuid4().hex[:8]}"

    with mlflow.start_run(run_name=run_name, tags={"phase": "train"}) as run:
        run_id = run.info.run_id
        assert run.info.status == "RUNNING"
        assert run.info.run_name == run_name
        assert run.info.artifact_uri == f"{experiment.artifact_location}/{run_id}/artifacts"

        mlflow.log_param("lr", 0.1)
        mlflow.log_params({"depth": 3, "optimizer": "adam"})
        for step in range(5):
            mlflow.log_metric("loss", 1.0 / (step + 1), step=step)
        mlflow.log_metrics({"acc": 0.9, "f1": 0.75})
        mlflow.set_tag("team", "ml-core")
        mlflow.set_tags({"stage": "dev", "ticket": "CAP-1"})

        mlflow.log_artifact(str(single))
        mlflow.log_artifact(str(single), artifact_path="extra")
        mlflow.log_artifacts(str(src), artifact_path="data")
        mlflow.log_dict(config, "config/params.json")
        mlflow.log_dict(config, "config/params.yaml")
        mlflow.log_text("some notes\nline 2", "notes/readme.txt")
        try:
            import matplotlib

            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
        except ImportError:
            plt = None
        if plt is not None:
            fig, ax = plt.subplots()
            ax.plot([0, 1, 2], [2, 1, 3])
            mlflow.log_figure(fig, "plots/curve.png")
            plt.close(fig)

    r = client.get_run(run_id)
    assert r.info.status == "FINISHED"
    assert r.info.lifecycle_stage == "active"
    assert r.info.end_time is not None and r.info.end_time >= r.info.start_time
    assert r.info.run_name == run_name
    assert r.info.experiment_id == experiment.experiment_id
    assert r.data.params == {"lr": "0.1", "depth": "3", "optimizer": "adam"}
    assert r.data.metrics == {"loss": pytest.approx(0.2), "acc": pytest.approx(0.9), "f1": pytest.approx(0.75)}
    tags = r.data.tags
    assert tags["team"] == "ml-core"
    assert tags["stage"] == "dev"
    assert tags["ticket"] == "CAP-1"
    assert tags["phase"] == "train"
    assert tags["mlflow.runName"] == run_name
    assert "mlflow.user" in tags

    root = {f.path: f.is_dir for f in client.list_artifacts(run_id)}
    expected_root = {"hello.txt": False, "extra": True, "data": True, "config": True, "notes": True}
    if plt is not None:
        expected_root["plots"] = True
    assert root == expected_root
    assert [f.path for f in client.list_artifacts(run_id, "config")] == [
        "config/params.json",
        "config/params.yaml",
    ]

    assert mlflow.artifacts.load_dict(f"runs:/{run_id}/config/params.json") == config
    assert mlflow.artifacts.load_text(f"runs:/{run_id}/notes/readme.txt") == "some notes\nline 2"
    assert mlflow.artifacts.load_text(f"runs:/{run_id}/extra/hello.txt") == "hello world"
    assert mlflow.artifacts.load_text(f"runs:/{run_id}/data/nested/b.txt") == "bee"
    yaml_path = mlflow.artifacts.download_artifacts(
        run_id=run_id, artifact_path="config/params.yaml", dst_path=str(tmp_path / "dl")
    )
    with open(yaml_path) as fh:
        assert yaml.safe_load(fh) == config
    if plt is not None:
        png = mlflow.artifacts.download_artifacts(
            run_id=run_id, artifact_path="plots/curve.png", dst_path=str(tmp_path / "dl2")
        )
        with open(png, "rb") as fh:
            assert fh.read(8) == b"\x89PNG\r\n\x1a\n"


def test_run_without_name_gets_generated_name(client, experiment):
    run = client.create_run(experiment.experiment_id)
    assert run.info.run_name, "server must generate a run name"
    assert run.data.tags.get("mlflow.runName") == run.info.run_name
    assert run.info.status == "RUNNING"
    assert run.info.end_time is None
    assert len(run.info.run_id) == 32 and run.info.run_id == run.info.run_id.lower()


def test_update_run_name_and_terminate(client, experiment):
    run = client.create_run(experiment.experiment_id, run_name="before")
    run_id = run.info.run_id
    client.update_run(run_id, name="after")
    r = client.get_run(run_id)
    assert r.info.run_name == "after"
    assert r.data.tags["mlflow.runName"] == "after"
    assert r.info.status == "RUNNING"  # renaming alone must not change status

    client.set_terminated(run_id, status="FAILED")
    r = client.get_run(run_id)
    assert r.info.status == "FAILED"
    assert r.info.end_time is not None


def test_tags_set_and_delete(client, experiment):
    run_id = client.create_run(experiment.experiment_id).info.run_id
    client.set_tag(run_id, "k1", "v1")
    client.set_tag(run_id, "k1", "v2")  # tags are mutable (unlike params)
    client.set_tag(run_id, "k2", "x")
    client.delete_tag(run_id, "k2")
    tags = client.get_run(run_id).data.tags
    assert tags["k1"] == "v2"
    assert "k2" not in tags
    with raises_mlflow("RESOURCE_DOES_NOT_EXIST"):
        client.delete_tag(run_id, "never-set")


def test_log_batch_params_tags_metrics(client, experiment):
    run_id = client.create_run(experiment.experiment_id).info.run_id
    now = int(time.time() * 1000)
    client.log_batch(
        run_id,
        metrics=[Metric("m1", 1.5, now, 0), Metric("m1", 2.5, now + 1, 1), Metric("m2", -3.0, now, 0)],
        params=[Param(f"p{i}", str(i)) for i in range(150)],  # >100 params: the client splits
        tags=[RunTag("t1", "x"), RunTag("t2", "y")],
    )
    r = client.get_run(run_id)
    assert r.data.metrics == {"m1": 2.5, "m2": -3.0}
    assert r.data.params == {f"p{i}": str(i) for i in range(150)}
    assert r.data.tags["t1"] == "x" and r.data.tags["t2"] == "y"


def test_param_relog_same_value_is_idempotent_and_empty_value_allowed(client, experiment):
    run_id = client.create_run(experiment.experiment_id).info.run_id
    client.log_param(run_id, "lr", "0.1")
    client.log_param(run_id, "lr", "0.1")
    client.log_param(run_id, "empty", "")
    long_value = "v" * 6000
    client.log_param(run_id, "long", long_value)
    params = client.get_run(run_id).data.params
    assert params["lr"] == "0.1"
    assert params["empty"] == ""
    assert params["long"] == long_value


def test_metric_special_values_roundtrip(client, experiment):
    run_id = client.create_run(experiment.experiment_id).info.run_id
    client.log_metric(run_id, "nan", float("nan"))
    client.log_metric(run_id, "pinf", float("inf"))
    client.log_metric(run_id, "ninf", float("-inf"))
    m = client.get_run(run_id).data.metrics
    assert math.isnan(m["nan"])
    assert m["pinf"] >= 1.79e308  # SQL stores clamp +inf to the max double
    assert m["ninf"] <= -1.79e308
    assert math.isnan(client.get_metric_history(run_id, "nan")[0].value)


def test_colon_is_valid_in_keys(client, experiment):
    # MLflow 3 (non-Windows servers) allows ':' in metric/param/tag keys: ^[/\w.\- :]*$
    run_id = client.create_run(experiment.experiment_id).info.run_id
    client.log_metric(run_id, "eval:acc", 1.0)
    client.log_param(run_id, "opt:lr", "0.1")
    client.set_tag(run_id, "ns:tag", "x")
    data = client.get_run(run_id).data
    assert data.metrics["eval:acc"] == 1.0
    assert data.params["opt:lr"] == "0.1"
    assert data.tags["ns:tag"] == "x"


def test_latest_metric_is_value_at_highest_step(client, experiment):
    run_id = client.create_run(experiment.experiment_id).info.run_id
    now = int(time.time() * 1000)
    # logged out of order: step 7 must win even though it was not logged last
    client.log_metric(run_id, "score", 7.0, timestamp=now, step=7)
    client.log_metric(run_id, "score", 3.0, timestamp=now + 10, step=3)
    assert client.get_run(run_id).data.metrics["score"] == 7.0


# ----------------------------------------------------------------------------- metric history


def test_metric_history_with_many_points(client, experiment):
    run_id = client.create_run(experiment.experiment_id).info.run_id
    now = int(time.time() * 1000)
    n = 2500
    metrics = [Metric("loss", 10_000.0 - s * 0.5, now + s, s) for s in range(n)]
    client.log_batch(run_id, metrics=metrics)  # the client sends 1000 + 1000 + 500

    hist = client.get_metric_history(run_id, "loss")
    assert len(hist) == n
    got = sorted((m.step, m.value, m.timestamp) for m in hist)
    assert got == [(s, 10_000.0 - s * 0.5, now + s) for s in range(n)]
    assert all(m.key == "loss" for m in hist)
    assert client.get_run(run_id).data.metrics["loss"] == 10_000.0 - (n - 1) * 0.5

    assert list(client.get_metric_history(run_id, "never-logged")) == []


def test_metric_history_fluent_steps(experiment, client):
    with mlflow.start_run() as run:
        for step in range(60):
            mlflow.log_metric("acc", step / 100, step=step)
    hist = client.get_metric_history(run.info.run_id, "acc")
    assert sorted(m.step for m in hist) == list(range(60))
    assert {m.step: m.value for m in hist}[42] == pytest.approx(0.42)


def test_metric_history_paging_raw(client, experiment, api):
    run_id = client.create_run(experiment.experiment_id).info.run_id
    now = int(time.time() * 1000)
    client.log_batch(run_id, metrics=[Metric("m", float(s), now + s, s) for s in range(25)])

    steps, token, pages = [], None, 0
    while True:
        params = {"run_id": run_id, "metric_key": "m", "max_results": 10}
        if token:
            params["page_token"] = token
        resp = api.get("/api/2.0/mlflow/metrics/get-history", params=params)
        assert resp.status_code == 200, resp.text
        body = resp.json()
        assert len(body["metrics"]) <= 10
        steps.extend(int(m["step"]) for m in body["metrics"])
        token = body.get("next_page_token")
        pages += 1
        if not token:
            break
        assert pages < 10
    assert pages == 3
    assert sorted(steps) == list(range(25))


# ----------------------------------------------------------------------------- delete/restore


def test_run_delete_restore(client, experiment):
    eid = experiment.experiment_id
    run_id = client.create_run(eid).info.run_id
    client.set_terminated(run_id)

    client.delete_run(run_id)
    assert client.get_run(run_id).info.lifecycle_stage == "deleted"
    assert run_id not in {r.info.run_id for r in client.search_runs([eid])}
    assert run_id in {r.info.run_id for r in client.search_runs([eid], run_view_type=ViewType.DELETED_ONLY)}
    assert run_id in {r.info.run_id for r in client.search_runs([eid], run_view_type=ViewType.ALL)}
    df = mlflow.search_runs([eid])
    assert run_id not in set(df.get("run_id", []))

    client.restore_run(run_id)
    assert client.get_run(run_id).info.lifecycle_stage == "active"
    assert run_id in {r.info.run_id for r in client.search_runs([eid])}
    assert run_id not in {r.info.run_id for r in client.search_runs([eid], run_view_type=ViewType.DELETED_ONLY)}


# ----------------------------------------------------------------------------- search_runs

TEAMS = ["ml-core", "mlops", "data"]
N_RUNS = 12
NO_ACC = 5  # this run never logs `acc`


@pytest.fixture(scope="module")
def corpus(capstan_server):
    """12 runs with distinct start times, metrics, params, tags and statuses."""
    client = MlflowClient()
    eid = client.create_experiment(f"search-{uuid.uuid4().hex[:12]}")
    base = int(time.time() * 1000) - 1_000_000
    runs = []
    for i in range(N_RUNS):
        start = base + i * 1000
        team = TEAMS[i % 3]
        lr = "0.1" if i % 2 == 0 else "0.01"
        r = client.create_run(eid, start_time=start, run_name=f"run-{i:02d}", tags={"team": team})
        acc = None if i == NO_ACC else round(i / (N_RUNS - 1), 4)
        metrics = [Metric("acc", acc, start, 0)] if acc is not None else [Metric("other", 1.0, start, 0)]
        client.log_batch(r.info.run_id, metrics=metrics, params=[Param("lr", lr), Param("idx", str(i))])
        if i == 10:
            status = "RUNNING"
        else:
            status = "FAILED" if i % 4 == 3 else "FINISHED"
            client.set_terminated(r.info.run_id, status=status, end_time=start + 500)
        runs.append({"id": r.info.run_id, "i": i, "acc": acc, "lr": lr, "team": team, "status": status, "name": f"run-{i:02d}"})
    return eid, runs


def _ids(runs, pred):
    return {r["id"] for r in runs if pred(r)}


def test_search_runs_metric_and_param_filter(corpus):
    eid, runs = corpus
    df = mlflow.search_runs([eid], filter_string="metrics.acc > 0.5 and params.lr = '0.1'")
    assert isinstance(df, pd.DataFrame)
    expected = _ids(runs, lambda r: r["acc"] is not None and r["acc"] > 0.5 and r["lr"] == "0.1")
    assert expected  # the corpus must make this filter non-trivial
    assert set(df["run_id"]) == expected
    for col in ("run_id", "experiment_id", "status", "start_time", "metrics.acc", "params.lr", "tags.team", "tags.mlflow.runName"):
        assert col in df.columns, col
    row = df.set_index("run_id").loc[next(iter(expected))]
    assert row["params.lr"] == "0.1"
    assert row["experiment_id"] == eid


@pytest.mark.parametrize(
    "flt, pred",
    [
        ("tags.team LIKE 'ml%'", lambda r: r["team"].startswith("ml")),
        ("tags.team ILIKE 'ML%'", lambda r: r["team"].startswith("ml")),
        ("tags.team LIKE 'ML%'", lambda r: False),  # LIKE is case-sensitive
        ("tags.team = 'data'", lambda r: r["team"] == "data"),
        ("params.lr != '0.1'", lambda r: r["lr"] != "0.1"),
        ("metrics.acc >= 0.5", lambda r: r["acc"] is not None and r["acc"] >= 0.5),
        ("metrics.acc < 0.3", lambda r: r["acc"] is not None and r["acc"] < 0.3),
        ("metrics.acc != 0", lambda r: r["acc"] is not None and r["acc"] != 0),
        ("attributes.status = 'FINISHED'", lambda r: r["status"] == "FINISHED"),
        ("attributes.status = 'FAILED'", lambda r: r["status"] == "FAILED"),
        ("status != 'FINISHED'", lambda r: r["status"] != "FINISHED"),
        ("run_name = 'run-03'", lambda r: r["name"] == "run-03"),
        ("attributes.run_name LIKE 'run-0%'", lambda r: r["i"] < 10),
        ("tags.team LIKE 'ml%' and attributes.status = 'FINISHED'", lambda r: r["team"].startswith("ml") and r["status"] == "FINISHED"),
        ("params.idx = '7'", lambda r: r["i"] == 7),
        ("tags.`team` = 'mlops'", lambda r: r["team"] == "mlops"),
    ],
)
def test_search_runs_filters(corpus, flt, pred):
    eid, runs = corpus
    df = mlflow.search_runs([eid], filter_string=flt)
    got = set(df.get("run_id", []))
    assert got == _ids(runs, pred), flt


def test_search_runs_run_id_in(corpus, client):
    eid, runs = corpus
    a, b = runs[2]["id"], runs[9]["id"]
    got = client.search_runs([eid], filter_string=f"attributes.run_id IN ('{a}', '{b}')")
    assert {r.info.run_id for r in got} == {a, b}


def test_search_runs_start_time_filter(corpus, client):
    eid, runs = corpus
    pivot = client.get_run(runs[6]["id"]).info.start_time
    got = client.search_runs([eid], filter_string=f"attributes.start_time > {pivot}")
    assert {r.info.run_id for r in got} == _ids(runs, lambda r: r["i"] > 6)


def test_search_runs_order_by_metric_desc(corpus):
    eid, runs = corpus
    df = mlflow.search_runs([eid], order_by=["metrics.acc DESC"])
    with_acc = sorted((r for r in runs if r["acc"] is not None), key=lambda r: -r["acc"])
    expected = [r["id"] for r in with_acc] + [runs[NO_ACC]["id"]]  # missing values sort last
    assert list(df["run_id"]) == expected


def test_search_runs_order_by_param_and_name(corpus, client):
    eid, runs = corpus
    got = client.search_runs([eid], order_by=["attributes.run_name ASC"])
    assert [r.info.run_name for r in got] == [f"run-{i:02d}" for i in range(N_RUNS)]
    got = client.search_runs([eid], order_by=["params.lr ASC", "attributes.start_time DESC"])
    ids = [r.info.run_id for r in got]
    lr01 = [r["id"] for r in sorted((r for r in runs if r["lr"] == "0.01"), key=lambda r: -r["i"])]
    lr1 = [r["id"] for r in sorted((r for r in runs if r["lr"] == "0.1"), key=lambda r: -r["i"])]
    assert ids == lr01 + lr1


def test_search_runs_default_order_and_max_results(corpus, client):
    eid, runs = corpus
    newest_first = [r["id"] for r in sorted(runs, key=lambda r: -r["i"])]
    assert [r.info.run_id for r in client.search_runs([eid])] == newest_first
    df = mlflow.search_runs([eid], max_results=5)
    assert list(df["run_id"]) == newest_first[:5]


def test_search_runs_paging_with_page_token(corpus, client):
    eid, runs = corpus
    newest_first = [r["id"] for r in sorted(runs, key=lambda r: -r["i"])]
    seen, sizes, token = [], [], None
    while True:
        page = client.search_runs([eid], max_results=5, page_token=token)
        sizes.append(len(page))
        seen.extend(r.info.run_id for r in page)
        token = page.token
        if not token:
            break
        assert len(sizes) < 10, "paging does not terminate"
    assert sizes == [5, 5, 2]
    assert seen == newest_first

    # paging also composes with filters and ordering
    seen, token = [], None
    while True:
        page = client.search_runs(
            [eid], filter_string="params.lr = '0.1'", order_by=["metrics.acc ASC"], max_results=4, page_token=token
        )
        seen.extend(r.info.run_id for r in page)
        token = page.token
        if not token:
            break
    expected = [r["id"] for r in sorted((r for r in runs if r["lr"] == "0.1"), key=lambda r: r["acc"])]
    assert seen == expected


def test_search_runs_across_experiments_by_name(corpus, client, unique):
    eid, runs = corpus
    other = mlflow.set_experiment(unique("other"))
    with mlflow.start_run() as run:
        mlflow.log_metric("acc", 0.99)
    name = client.get_experiment(eid).name
    df = mlflow.search_runs(experiment_names=[name, other.name], filter_string="metrics.acc > 0.95")
    expected = _ids(runs, lambda r: r["acc"] is not None and r["acc"] > 0.95) | {run.info.run_id}
    assert set(df["run_id"]) == expected


# ----------------------------------------------------------------------------- datasets


def test_log_input_dataset(client, experiment):
    df = pd.DataFrame({"x1": [1.0, 2.0, 3.0], "x2": [0.5, 0.1, 0.3], "y": [0, 1, 0]})
    name = f"toy-{uuid.uuid4().hex[:6]}"
    ds = mlflow.data.from_pandas(df, name=name, targets="y")
    with mlflow.start_run() as run:
        mlflow.log_input(ds, context="training")

    r = client.get_run(run.info.run_id)
    inputs = r.inputs.dataset_inputs
    assert len(inputs) == 1
    d = inputs[0].dataset
    expected = ds._to_mlflow_entity()
    assert d.name == name
    assert d.digest == ds.digest
    assert d.source_type == expected.source_type
    assert json.loads(d.source) == json.loads(expected.source)
    assert json.loads(d.schema) == json.loads(expected.schema)
    assert json.loads(d.profile) == json.loads(expected.profile)
    assert {t.key: t.value for t in inputs[0].tags}.get("mlflow.data.context") == "training"

    found = client.search_runs([experiment.experiment_id], filter_string=f"datasets.name = '{name}'")
    assert [x.info.run_id for x in found] == [run.info.run_id]
    found = client.search_runs([experiment.experiment_id], filter_string="datasets.context = 'evaluation'")
    assert list(found) == []


# ----------------------------------------------------------------------------- logged models


def test_logged_model_lifecycle(client, experiment, iris, sklearn_models):
    X, _ = iris
    model, _ = sklearn_models
    with mlflow.start_run() as run:
        mlflow.log_param("C", 0.001)
        mlflow.log_metric("acc", 0.91)  # step 0: linked to the model by log_model
        info = mlflow.sklearn.log_model(model, name="clf", pip_requirements=PIP_REQS)
        mlflow.log_metric("val_acc", 0.88, model_id=info.model_id)
    run_id = run.info.run_id
    model_id = info.model_id
    assert model_id.startswith("m-")
    assert info.model_uri == f"models:/{model_id}"

    lm = client.get_logged_model(model_id)
    assert lm.model_id == model_id
    assert lm.name == "clf"
    assert lm.experiment_id == experiment.experiment_id
    assert lm.source_run_id == run_id
    assert lm.status == LoggedModelStatus.READY
    assert lm.artifact_location == f"{experiment.artifact_location}/models/{model_id}/artifacts"
    assert lm.params.get("C") == "0.001"
    metrics = {m.key: m for m in lm.metrics or []}
    assert metrics["acc"].value == pytest.approx(0.91)
    assert metrics["val_acc"].value == pytest.approx(0.88)
    assert metrics["acc"].run_id == run_id

    r = client.get_run(run_id)
    assert model_id in [o.model_id for o in r.outputs.model_outputs]

    listed = {f.path for f in client.list_logged_model_artifacts(model_id)}
    assert "MLmodel" in listed
    assert any(p.startswith("model.") for p in listed), listed

    models = mlflow.search_logged_models(experiment_ids=[experiment.experiment_id], output_format="list")
    assert [m.model_id for m in models] == [model_id]
    df = mlflow.search_logged_models(experiment_ids=[experiment.experiment_id])
    assert list(df["model_id"]) == [model_id]
    hits = client.search_logged_models([experiment.experiment_id], filter_string="name = 'clf'")
    assert [m.model_id for m in hits] == [model_id]
    hits = client.search_logged_models([experiment.experiment_id], filter_string="name = 'nope'")
    assert list(hits) == []
    hits = client.search_logged_models([experiment.experiment_id], filter_string="metrics.acc > 0.9")
    assert [m.model_id for m in hits] == [model_id]
    hits = client.search_logged_models([experiment.experiment_id], filter_string="metrics.acc > 0.95")
    assert list(hits) == []

    loaded = mlflow.pyfunc.load_model(f"models:/{model_id}")
    np.testing.assert_array_equal(np.asarray(loaded.predict(X)), model.predict(X))


def test_logged_model_client_api(client, experiment):
    eid = experiment.experiment_id
    lm = client.create_logged_model(eid, name="external", tags={"k": "v"}, params={"p": "1"}, model_type="agent")
    assert lm.model_id.startswith("m-")
    assert lm.status == LoggedModelStatus.PENDING
    assert lm.model_type == "agent"
    assert lm.tags.get("k") == "v"
    assert lm.params == {"p": "1"}

    client.set_logged_model_tags(lm.model_id, {"k": "v2", "other": "x"})
    client.delete_logged_model_tag(lm.model_id, "other")
    done = client.finalize_logged_model(lm.model_id, "READY")
    assert done.status == LoggedModelStatus.READY
    got = client.get_logged_model(lm.model_id)
    assert got.tags.get("k") == "v2"
    assert "other" not in got.tags
    assert got.status == LoggedModelStatus.READY

    # paging through logged-model search
    for i in range(4):
        client.create_logged_model(eid, name=f"bulk-{i}")
    seen, token = [], None
    while True:
        page = client.search_logged_models([eid], max_results=2, page_token=token)
        assert len(page) <= 2
        seen.extend(m.model_id for m in page)
        token = page.token
        if not token:
            break
        assert len(seen) < 20
    assert len(seen) == 5 and len(set(seen)) == 5

    client.delete_logged_model(lm.model_id)
    with raises_mlflow("RESOURCE_DOES_NOT_EXIST"):
        client.get_logged_model(lm.model_id)
    assert lm.model_id not in {m.model_id for m in client.search_logged_models([eid])}


# ----------------------------------------------------------------------------- raw JSON shape


def test_run_json_shape_on_the_wire(api, experiment):
    resp = api.post(
        "/api/2.0/mlflow/runs/create",
        json={"experiment_id": experiment.experiment_id, "start_time": 1700000000000, "run_name": "wire"},
    )
    assert resp.status_code == 200, resp.text
    info = resp.json()["run"]["info"]
    assert info["status"] == "RUNNING"  # enums are names, not numbers
    assert info["run_name"] == "wire"
    assert info["lifecycle_stage"] == "active"
    assert int(info["start_time"]) == 1700000000000
    assert "end_time" not in info or info["end_time"] in (None, 0, "0")
    assert info["run_id"] == info["run_uuid"]
    assert info["artifact_uri"] == f"mlflow-artifacts:/{experiment.experiment_id}/{info['run_id']}/artifacts"

    resp = api.get("/api/2.0/mlflow/experiments/get", params={"experiment_id": experiment.experiment_id})
    assert resp.status_code == 200
    exp = resp.json()["experiment"]
    assert exp["experiment_id"] == experiment.experiment_id and isinstance(exp["experiment_id"], str)

    # POST endpoints return HTTP 200 with a JSON object even when there is nothing to return
    resp = api.post(
        "/api/2.0/mlflow/runs/set-tag", json={"run_id": info["run_id"], "key": "a", "value": "b"}
    )
    assert resp.status_code == 200
    assert resp.json() == {}


# ----------------------------------------------------------------------------- more client flows


def test_nested_runs(client, experiment):
    with mlflow.start_run(run_name="parent") as parent:
        with mlflow.start_run(run_name="child-1", nested=True) as c1:
            mlflow.log_metric("fold_acc", 0.8)
        with mlflow.start_run(run_name="child-2", nested=True) as c2:
            mlflow.log_metric("fold_acc", 0.9)
    pid = parent.info.run_id
    assert client.get_run(c1.info.run_id).data.tags["mlflow.parentRunId"] == pid
    children = client.search_runs(
        [experiment.experiment_id], filter_string=f"tags.mlflow.parentRunId = '{pid}'", order_by=["attributes.run_name ASC"]
    )
    assert [r.info.run_id for r in children] == [c1.info.run_id, c2.info.run_id]
    assert all(r.info.status == "FINISHED" for r in children)


def test_log_input_same_dataset_twice_is_not_duplicated(client, experiment):
    df = pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 4.0]})
    ds = mlflow.data.from_pandas(df, name="dedup")
    with mlflow.start_run() as run:
        mlflow.log_input(ds, context="training")
        mlflow.log_input(ds, context="training")
        mlflow.log_input(ds, context="evaluation")
    inputs = client.get_run(run.info.run_id).inputs.dataset_inputs
    # MLflow's SQL store links a dataset to a run once: re-logging it (even with another
    # context) is a no-op, so the FIRST input and its tags are kept.
    assert len(inputs) == 1
    assert inputs[0].dataset.digest == ds.digest
    assert {t.key: t.value for t in inputs[0].tags}["mlflow.data.context"] == "training"


def test_sklearn_autolog(client, experiment, iris):
    from sklearn.linear_model import LogisticRegression

    X, y = iris
    mlflow.sklearn.autolog(log_input_examples=False, log_model_signatures=True, silent=True)
    try:
        with mlflow.start_run() as run:
            LogisticRegression(C=0.5, max_iter=500).fit(X, y)
    finally:
        mlflow.sklearn.autolog(disable=True)
    r = client.get_run(run.info.run_id)
    assert r.data.params["C"] == "0.5"
    assert r.data.params["max_iter"] == "500"
    assert 0.5 < r.data.metrics["training_accuracy_score"] <= 1.0
    assert r.data.tags.get("estimator_name") == "LogisticRegression"
    assert len(r.inputs.dataset_inputs) >= 1
    models = client.search_logged_models([experiment.experiment_id])
    assert [m.source_run_id for m in models] == [run.info.run_id]
    loaded = mlflow.pyfunc.load_model(f"models:/{models[0].model_id}")
    assert len(loaded.predict(X)) == len(X)


def test_set_active_model_and_log_model_params(client, experiment):
    try:
        active = mlflow.set_active_model(name="my-agent")
        model_id = active.model_id
        assert model_id.startswith("m-")
        assert mlflow.get_active_model_id() == model_id
        # a second call with the same name finds the existing logged model
        assert mlflow.set_active_model(name="my-agent").model_id == model_id
    finally:
        mlflow.clear_active_model()
    mlflow.log_model_params({"temperature": "0.2", "top_k": "5"}, model_id=model_id)
    lm = client.get_logged_model(model_id)
    assert lm.name == "my-agent"
    assert lm.params == {"temperature": "0.2", "top_k": "5"}
    assert [m.model_id for m in client.search_logged_models([experiment.experiment_id])] == [model_id]


def test_delete_experiment_cascades_to_runs(client, unique):
    eid = client.create_experiment(unique("cascade"))
    run_ids = [client.create_run(eid).info.run_id for _ in range(2)]
    client.delete_experiment(eid)
    assert all(client.get_run(r).info.lifecycle_stage == "deleted" for r in run_ids)
    client.restore_experiment(eid)
    assert all(client.get_run(r).info.lifecycle_stage == "active" for r in run_ids)
    assert {r.info.run_id for r in client.search_runs([eid])} == set(run_ids)
