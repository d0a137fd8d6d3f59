"""Runs the Python example (examples/python) against the test server, as a user would."""
import json
import os
import subprocess
import sys

from conftest import REPO_ROOT


def test_churn_example_trains_deploys_and_is_monitored(tracking_uri, unique):
    name = unique("py-churn")
    env = {**os.environ, "MLFLOW_TRACKING_URI": tracking_uri}
    out = subprocess.run([sys.executable, str(REPO_ROOT / "examples" / "python" / "churn_example.py"), "--name", name],
                         env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    summary = json.loads(out.stdout[out.stdout.index("{"):])
    assert summary["model"] == name and summary["version"] == "1"
    assert summary["served_rows"] == 750 and summary["reference_rows"] == 2250
    assert summary["test_accuracy"] > 0.8
    assert "f0" in summary["drifted_columns"]
    assert all(c in {"f0", "f1", "f2", "f3", "f4", "f5"} for c in summary["drifted_columns"])
    assert abs(summary["live_accuracy"] - summary["expected_accuracy"]) < 1e-3
    assert any("dataset_drift_share" in a for a in summary["alerts"])
