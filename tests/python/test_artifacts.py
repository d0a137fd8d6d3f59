"""Proxied artifact storage (mlflow-artifacts:) through the official client."""

from __future__ import annotations

import hashlib
import os
import posixpath

import mlflow
import pytest
from mlflow.artifacts import download_artifacts
from mlflow.utils.mime_type_utils import _guess_mime_type

CHUNK = 1024 * 1024


@pytest.fixture
def artifact_run(client, experiment, tmp_path):
    """A finished run holding a small artifact tree:

    a.txt (1 byte)   dir/b.txt   dir/sub/c.json   empty.bin (0 bytes)
    """
    src = tmp_path / "tree"
    (src / "dir" / "sub").mkdir(parents=True)
    (src / "a.txt").write_text("a")
    (src / "empty.bin").write_bytes(b"")
    (src / "dir" / "b.txt").write_text("bee\n")
    (src / "dir" / "sub" / "c.json").write_text('{"c": 3}')
    run = client.create_run(experiment.experiment_id)
    client.log_artifacts(run.info.run_id, str(src))
    client.set_terminated(run.info.run_id)
    return run


def test_artifact_uri_is_proxied(artifact_run, experiment, capstan_server):
    uri = artifact_run.info.artifact_uri
    assert uri == f"mlflow-artifacts:/{experiment.experiment_id}/{artifact_run.info.run_id}/artifacts"
    template = os.environ.get("CAPSTAN_SERVER_CMD", "{artifacts}")
    if capstan_server.managed and "{artifacts}" in template:
        # files land under <artifacts-destination>/<exp>/<run>/artifacts/...
        on_disk = capstan_server.artifacts / experiment.experiment_id / artifact_run.info.run_id / "artifacts"
        assert (on_disk / "dir" / "sub" / "c.json").read_text() == '{"c": 3}'


def test_list_artifacts_root_and_subdirectories(client, artifact_run):
    run_id = artifact_run.info.run_id
    root = {f.path: (f.is_dir, f.file_size) for f in client.list_artifacts(run_id)}
    # a zero-byte file may come back without file_size (proto3 omits default values)
    if root.get("empty.bin") == (False, None):
        root["empty.bin"] = (False, 0)
    assert root == {"a.txt": (False, 1), "empty.bin": (False, 0), "dir": (True, None)}

    sub = {f.path: (f.is_dir, f.file_size) for f in client.list_artifacts(run_id, "dir")}
    assert sub == {"dir/b.txt": (False, 4), "dir/sub": (True, None)}

    deeper = client.list_artifacts(run_id, "dir/sub")
    assert [(f.path, f.is_dir, f.file_size) for f in deeper] == [("dir/sub/c.json", False, 8)]

    # listing a path that does not exist is an empty list, not an error
    assert client.list_artifacts(run_id, "no/such/dir") == []


def test_list_artifacts_raw_shape(api, artifact_run):
    """GET /api/2.0/mlflow-artifacts/artifacts?path=... returns basenames, dirs without size."""
    base = artifact_run.info.artifact_uri[len("mlflow-artifacts:/"):]
    resp = api.get("/api/2.0/mlflow-artifacts/artifacts", params={"path": f"{base}/dir"})
    assert resp.status_code == 200, resp.text
    files = sorted(resp.json()["files"], key=lambda f: f["path"])
    assert files[0]["path"] == "b.txt" and files[0]["is_dir"] is False
    assert int(files[0]["file_size"]) == 4
    assert files[1]["path"] == "sub" and files[1]["is_dir"] is True
    assert "file_size" not in files[1]


def test_download_directory_and_single_file(client, artifact_run, tmp_path):
    run_id = artifact_run.info.run_id

    d = download_artifacts(run_id=run_id, artifact_path="dir", dst_path=str(tmp_path / "d1"))
    assert os.path.isdir(d)
    assert open(os.path.join(d, "b.txt")).read() == "bee\n"
    assert open(os.path.join(d, "sub", "c.json")).read() == '{"c": 3}'

    f = download_artifacts(run_id=run_id, artifact_path="dir/sub/c.json", dst_path=str(tmp_path / "d2"))
    assert os.path.isfile(f) and open(f).read() == '{"c": 3}'

    everything = client.download_artifacts(run_id, "", dst_path=str(tmp_path))
    got = set()
    for root, _, files in os.walk(everything):
        for name in files:
            got.add(os.path.relpath(os.path.join(root, name), everything).replace(os.sep, "/"))
    assert {"a.txt", "empty.bin", "dir/b.txt", "dir/sub/c.json"} <= got
    assert os.path.getsize(os.path.join(everything, "empty.bin")) == 0

    # artifact URIs work too (runs:/ and the raw mlflow-artifacts:/ URI)
    via_runs = download_artifacts(f"runs:/{run_id}/a.txt", dst_path=str(tmp_path / "d3"))
    assert open(via_runs).read() == "a"
    via_uri = download_artifacts(f"{artifact_run.info.artifact_uri}/dir/b.txt", dst_path=str(tmp_path / "d4"))
    assert open(via_uri).read() == "bee\n"


def test_raw_put_get_headers(api, experiment, client):
    run = client.create_run(experiment.experiment_id)
    base = run.info.artifact_uri[len("mlflow-artifacts:/"):]
    payload = b'{"hello": "world"}'
    url = f"/api/2.0/mlflow-artifacts/artifacts/{base}/raw/data.json"
    put = api("PUT", url, data=payload, headers={"Content-Type": "application/json"})
    assert put.status_code == 200, put.text
    assert put.text.strip() in ("", "{}"), put.text  # MLflow answers with an empty body

    got = api.get(url)
    assert got.status_code == 200
    assert got.content == payload
    # MLflow serves text-like extensions (json, yaml, txt, MLmodel, ...) as text/plain
    assert got.headers.get("X-Content-Type-Options") == "nosniff"
    cd = got.headers.get("Content-Disposition", "")
    assert cd.startswith("attachment") and "data.json" in cd

    assert [f.path for f in client.list_artifacts(run.info.run_id, "raw")] == ["raw/data.json"]

    # overwrite in place
    api("PUT", url, data=b"[]")
    assert api.get(url).content == b"[]"

    # DELETE removes it
    deleted = api("DELETE", url)
    assert deleted.status_code == 200
    assert client.list_artifacts(run.info.run_id, "raw") == []


@pytest.mark.parametrize(
    "filename", ["data.json", "notes.txt", "conf.yaml", "MLmodel", "img.png", "model.pkl", "blob.unknownext"]
)
def test_download_content_type_matches_mlflow(api, experiment, client, filename):
    """Content-Type of a proxied download is MLflow's _guess_mime_type(filename): text-like
    extensions (json, yaml, txt, MLmodel, ...) are served as text/plain."""
    run = client.create_run(experiment.experiment_id)
    base = run.info.artifact_uri[len("mlflow-artifacts:/"):]
    url = f"/api/2.0/mlflow-artifacts/artifacts/{base}/{filename}"
    assert api("PUT", url, data=b"0123").status_code == 200
    got = api.get(url)
    assert got.status_code == 200 and got.content == b"0123"
    assert got.headers["Content-Type"].split(";")[0].strip() == _guess_mime_type(filename)


def test_log_text_with_unicode_and_spaces_in_path(client, experiment):
    with mlflow.start_run() as run:
        mlflow.log_text("naïve – ünïcödé ✓", "my dir/notes file.txt")
    text = mlflow.artifacts.load_text(f"runs:/{run.info.run_id}/my dir/notes file.txt")
    assert text == "naïve – ünïcödé ✓"
    assert [f.path for f in client.list_artifacts(run.info.run_id, "my dir")] == ["my dir/notes file.txt"]


def _write_random_file(path, size):
    h = hashlib.sha256()
    written = 0
    with open(path, "wb") as fh:
        while written < size:
            n = min(CHUNK, size - written)
            block = os.urandom(n)
            h.update(block)
            fh.write(block)
            written += n
    return h.hexdigest()


def _sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(CHUNK), b""):
            h.update(block)
    return h.hexdigest()


def test_large_file_roundtrip(client, experiment, tmp_path):
    size = 101 * CHUNK + 12_345  # > 100 MB, deliberately not chunk-aligned
    big = tmp_path / "big.bin"
    digest = _write_random_file(big, size)  # streamed: never held in memory

    run_id = client.create_run(experiment.experiment_id).info.run_id
    client.log_artifact(run_id, str(big), artifact_path="large")  # the client streams the file
    big.unlink()

    listed = client.list_artifacts(run_id, "large")
    assert [(f.path, f.file_size) for f in listed] == [("large/big.bin", size)]

    dst = tmp_path / "dl"
    dst.mkdir()
    out = client.download_artifacts(run_id, "large/big.bin", dst_path=str(dst))
    assert os.path.getsize(out) == size
    assert _sha256(out) == digest
    assert posixpath.basename(out) == "big.bin"


def test_proxied_multipart_upload(client, experiment, tmp_path, monkeypatch):
    # The client's proxy multipart path: mpu/create with the artifact directory in the URL and
    # the local file in `path`, parts PUT to the returned URLs, then mpu/complete.
    monkeypatch.setenv("MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD", "true")
    monkeypatch.setenv("MLFLOW_MULTIPART_UPLOAD_MINIMUM_FILE_SIZE", str(1024 * 1024))
    monkeypatch.setenv("MLFLOW_MULTIPART_UPLOAD_CHUNK_SIZE", str(5 * 1024 * 1024))
    size = 12 * 1024 * 1024 + 321  # three parts, the last one short
    big = tmp_path / "parts.bin"
    digest = _write_random_file(big, size)

    run_id = client.create_run(experiment.experiment_id).info.run_id
    client.log_artifact(run_id, str(big), artifact_path="mpu")

    listed = client.list_artifacts(run_id, "mpu")
    assert [(f.path, f.file_size) for f in listed] == [("mpu/parts.bin", size)]
    out = client.download_artifacts(run_id, "mpu/parts.bin", dst_path=str(tmp_path / "dl"))
    assert _sha256(out) == digest
