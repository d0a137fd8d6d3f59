"""Shared fixtures for the MLflow-client conformance suite.

One Capstan server is started per pytest session and driven with the *official*
``mlflow`` Python client. Every test works in its own uniquely named experiment /
registered model so tests never interfere with each other (and the suite can run
against a long-lived PostgreSQL database in CI).

Environment knobs (see README.md):

* ``CAPSTAN_SERVER_CMD``       - shell-style command with ``{port}``, ``{host}``,
  ``{db_uri}`` and ``{artifacts}`` placeholders (default: the built CLI).
* ``CAPSTAN_TEST_BACKEND_URI`` - backend store URI (default: a fresh SQLite file).
* ``CAPSTAN_TEST_URL``         - use an already running server instead of starting one.
* ``CAPSTAN_STARTUP_TIMEOUT``  - seconds to wait for ``GET /health`` (default 30).
"""

from __future__ import annotations

import os
import shlex
import socket
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

# Keep the client quiet and fail fast: no telemetry, and no exponential-backoff retries
# (a server answering 500 would otherwise make a single call hang for minutes).
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
os.environ.setdefault("DO_NOT_TRACK", "true")
os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
os.environ.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", "120")
os.environ.pop("MLFLOW_EXPERIMENT_ID", None)
os.environ.pop("MLFLOW_EXPERIMENT_NAME", None)
os.environ.pop("MLFLOW_REGISTRY_URI", None)

import mlflow  # noqa: E402
import pytest  # noqa: E402
import requests  # noqa: E402
from mlflow import MlflowClient  # noqa: E402
from mlflow.exceptions import MlflowException  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_BIN = REPO_ROOT / "packages" / "cli" / "dist" / "bin.js"
DEFAULT_CMD = (
    f"node {shlex.quote(str(DEFAULT_BIN))} server --host 127.0.0.1 --port {{port}} "
    "--backend-store-uri {db_uri} --artifacts-destination {artifacts}"
)
# Written next to (not inside) the artifacts destination; path-traversal tests try to read it.
SECRET_TOKEN = "capstan-traversal-canary-" + uuid.uuid4().hex


class CapstanServer:
    def __init__(self, url: str, workdir: Path | None, artifacts: Path | None, log: Path | None):
        self.url = url.rstrip("/")
        self.workdir = workdir
        self.artifacts = artifacts
        self.log = log
        parsed = requests.utils.urlparse(self.url)
        self.host = parsed.hostname
        self.port = parsed.port or 80
        self.managed = workdir is not None

    def log_tail(self, n: int = 60) -> str:
        if not self.log or not self.log.exists():
            return "(no server log captured)"
        lines = self.log.read_text(errors="replace").splitlines()
        return "\n".join(lines[-n:])


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _health_ok(url: str) -> bool:
    try:
        r = requests.get(f"{url}/health", timeout=2)
        return r.status_code == 200
    except requests.RequestException:
        return False


_SERVER: CapstanServer | None = None


@pytest.fixture(scope="session")
def capstan_server(tmp_path_factory):
    """Start (or attach to) the Capstan server; yields a CapstanServer."""
    global _SERVER
    external = os.environ.get("CAPSTAN_TEST_URL")
    saved_uri = os.environ.get("MLFLOW_TRACKING_URI")
    proc = None
    if external:
        server = CapstanServer(external, None, None, None)
        if not _health_ok(server.url):
            pytest.fail(f"CAPSTAN_TEST_URL={external} does not answer GET /health with 200")
    else:
        workdir = tmp_path_factory.mktemp("capstan-server")
        artifacts = workdir / "artifacts"
        artifacts.mkdir()
        (workdir / "secret.txt").write_text(SECRET_TOKEN)
        port = _free_port()
        db_uri = os.environ.get("CAPSTAN_TEST_BACKEND_URI") or f"sqlite:///{workdir}/capstan.db"
        template = os.environ.get("CAPSTAN_SERVER_CMD") or DEFAULT_CMD
        if "CAPSTAN_SERVER_CMD" not in os.environ and not DEFAULT_BIN.exists():
            pytest.fail(f"{DEFAULT_BIN} does not exist: build Capstan first (npm run build)")
        cmd = shlex.split(
            template.format(
                port=port,
                host="127.0.0.1",
                db_uri=db_uri,
                artifacts=str(artifacts),
            )
        )
        log = workdir / "server.log"
        log_fh = open(log, "wb")  # noqa: SIM115 - closed at teardown
        proc = subprocess.Popen(cmd, cwd=workdir, stdout=log_fh, stderr=subprocess.STDOUT)
        server = CapstanServer(f"http://127.0.0.1:{port}", workdir, artifacts, log)
        timeout = float(os.environ.get("CAPSTAN_STARTUP_TIMEOUT", "30"))
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                log_fh.close()
                pytest.fail(
                    f"Capstan server exited with code {proc.returncode} before becoming ready.\n"
                    f"command: {cmd}\n--- server output ---\n{server.log_tail(200)}"
                )
            if _health_ok(server.url):
                break
            if time.monotonic() > deadline:
                proc.terminate()
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                log_fh.close()
                pytest.fail(
                    f"Capstan server did not answer GET /health within {timeout}s.\n"
                    f"command: {cmd}\n--- server output ---\n{server.log_tail(200)}"
                )
            time.sleep(0.2)

    os.environ["MLFLOW_TRACKING_URI"] = server.url
    mlflow.set_tracking_uri(server.url)
    _SERVER = server
    try:
        yield server
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
            log_fh.close()
        if saved_uri is None:
            os.environ.pop("MLFLOW_TRACKING_URI", None)
        else:
            os.environ["MLFLOW_TRACKING_URI"] = saved_uri


@pytest.fixture(scope="session")
def tracking_uri(capstan_server) -> str:
    return capstan_server.url


@pytest.fixture
def client(tracking_uri) -> MlflowClient:
    return MlflowClient()


@pytest.fixture
def unique():
    """unique("exp") -> "exp-<12 hex>"; names never collide across tests or CI runs."""

    def make(prefix: str = "capstan") -> str:
        return f"{prefix}-{uuid.uuid4().hex[:12]}"

    return make


@pytest.fixture
def experiment(tracking_uri, unique):
    """A fresh experiment made active for the fluent API; yields the Experiment entity."""
    exp = mlflow.set_experiment(unique("exp"))
    return exp


@pytest.fixture(autouse=True)
def _no_leaked_runs():
    yield
    # A failing test may leave a fluent run open; close it so later tests start clean.
    while mlflow.active_run() is not None:
        try:
            mlflow.end_run()
        except Exception:
            break


@contextmanager
def raises_mlflow(error_code: str, match: str | None = None):
    """Assert that the block raises MlflowException carrying exactly `error_code`."""
    with pytest.raises(MlflowException, match=match) as excinfo:
        yield excinfo
    got = excinfo.value.error_code
    assert got == error_code, f"expected error_code {error_code}, got {got}: {excinfo.value}"


def assert_error_response(resp, status: int, error_code, message_contains: str | None = None):
    """Check a raw HTTP error response: status and JSON {"error_code", "message"}."""
    codes = (error_code,) if isinstance(error_code, str) else tuple(error_code)
    assert resp.status_code == status, (
        f"expected HTTP {status}, got {resp.status_code}: {resp.text[:500]!r}"
    )
    try:
        body = resp.json()
    except ValueError:
        pytest.fail(f"error body is not JSON: {resp.text[:500]!r}")
    assert body.get("error_code") in codes, f"expected error_code in {codes}, got {body}"
    assert isinstance(body.get("message"), str), body
    if message_contains is not None:
        assert message_contains in body["message"], body
    return body


# --------------------------------------------------------------------------- models / data


@pytest.fixture(scope="session")
def iris():
    from sklearn.datasets import load_iris

    data = load_iris(as_frame=True)
    X = data.data.rename(columns=lambda c: c.replace(" (cm)", "").replace(" ", "_"))
    return X, data.target


@pytest.fixture(scope="session")
def sklearn_models(iris):
    """Two fitted classifiers whose predictions on the iris data differ."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    X, y = iris
    # (mlflow 3.17 serialises with skops by default; plain linear models are skops-trusted)
    model_a = LogisticRegression(C=0.001, max_iter=1000).fit(X, y)
    model_b = LogisticRegression(max_iter=1000).fit(X, y)
    assert not np.array_equal(model_a.predict(X), model_b.predict(X))
    return model_a, model_b


# Skip client-side pip requirement inference (it spawns a subprocess and never talks to the
# server); everything that reaches the server is unchanged.
PIP_REQS = ["scikit-learn"]


class Api:
    """Tiny raw-HTTP helper (for things the official client validates locally)."""

    def __init__(self, base: str):
        self.base = base
        self.session = requests.Session()

    def __call__(self, method: str, path: str, **kwargs) -> requests.Response:
        kwargs.setdefault("timeout", 60)
        return self.session.request(method, self.base + path, **kwargs)

    def get(self, path, **kw):
        return self("GET", path, **kw)

    def post(self, path, **kw):
        return self("POST", path, **kw)


@pytest.fixture
def api(tracking_uri) -> Api:
    return Api(tracking_uri)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if _SERVER is not None and exitstatus not in (0, 5) and _SERVER.log is not None:
        terminalreporter.section("Capstan server log (tail)")
        terminalreporter.write_line(f"full log: {_SERVER.log}")
        terminalreporter.write_line(_SERVER.log_tail(40))


def pytest_report_header(config):
    return [f"python {sys.version.split()[0]}, mlflow {mlflow.__version__}"]
