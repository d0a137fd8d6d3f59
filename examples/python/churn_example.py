"""Train with scikit-learn, log with the mlflow client, convert with skl2onnx, register, then let
Capstan deploy and monitor the model.

    export MLFLOW_TRACKING_URI=http://127.0.0.1:5000   # a running `capstan server`
    python examples/python/churn_example.py [--name py-churn]

It prints a JSON summary: the registered version, predictions served, the drift Capstan found
on shifted traffic (and in which columns), the alerts that fired, and the accuracy measured from
the labels sent back as feedback.
"""
import argparse
import json
import os
import sys

import mlflow
import mlflow.onnx
import numpy as np
import pandas as pd
import requests
from mlflow import MlflowClient
from mlflow.models import infer_signature
from skl2onnx import to_onnx
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.metrics import accuracy_score
from sklearn.model_selection import train_test_split

parser = argparse.ArgumentParser()
parser.add_argument("--name", default="py-churn")
parser.add_argument("--seed", type=int, default=0)
args = parser.parse_args()
url = os.environ.get("MLFLOW_TRACKING_URI", "http://127.0.0.1:5000").rstrip("/")
api = f"{url}/api/v1"


def call(method, path, **kwargs):
    r = requests.request(method, f"{api}{path}", timeout=60, **kwargs)
    if r.status_code != 200:
        sys.exit(f"{method} {path} failed with {r.status_code}: {r.text}")
    return r.json()


# 1. Data: six numeric features, churn depends on the first three.
rng = np.random.default_rng(args.seed)
n = 3000
X = pd.DataFrame({f"f{i}": rng.normal(size=n).astype(np.float32) for i in range(6)})
y = ((X.f0 + 0.8 * X.f1 - 0.6 * X.f2 + rng.normal(scale=0.5, size=n)) > 0).astype(int)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=args.seed)

# 2. Train and evaluate with scikit-learn, log with mlflow, convert with skl2onnx, register.
mlflow.set_experiment(f"{args.name}-example")
with mlflow.start_run() as run:
    model = GradientBoostingClassifier(n_estimators=60, max_depth=3, random_state=args.seed).fit(X_train, y_train)
    test_accuracy = accuracy_score(y_test, model.predict(X_test))
    mlflow.log_params({"n_estimators": 60, "max_depth": 3})
    mlflow.log_metric("accuracy", test_accuracy)
    onx = to_onnx(model, X_train.values[:1], options={"zipmap": False})
    # A column-based signature lets Capstan name the columns of the single ONNX input (for
    # /invocations dataframes and for per-column drift).
    signature = infer_signature(X_train.head(5), model.predict(X_train.head(5)))
    info = mlflow.onnx.log_model(onx, name="model", signature=signature, registered_model_name=args.name)
version = info.registered_model_version
MlflowClient().set_registered_model_alias(args.name, "champion", version)

# 3. Deploy the champion and watch it.
requests.delete(f"{api}/deployments/{args.name}", timeout=60)
requests.delete(f"{api}/monitors/{args.name}", timeout=60)
call("POST", "/deployments", json={"name": args.name, "variants": [{"modelUri": f"models:/{args.name}@champion"}]})
call("POST", "/monitors", json={"deployment": args.name, "task": "classification", "windowMs": 60_000, "predictionOutput": "label", "scoreOutput": "probabilities", "positiveClass": "1"})
reference = call("PUT", f"/monitors/{args.name}/reference", json={"columns": {**{c: X_train[c].tolist() for c in X.columns}}})
call("POST", f"/monitors/{args.name}/rules", json={"name": "input drift", "metric": "dataset_drift_share", "comparison": "gte", "threshold": 0.15, "windowMs": 600_000})
call("POST", f"/monitors/{args.name}/rules", json={"name": "accuracy floor", "metric": "accuracy", "comparison": "lt", "threshold": 0.9, "windowMs": 600_000})

# 4. Live traffic whose inputs have shifted (f0 moved by +1.5), scored through MLflow's protocol;
#    the labels come back later as feedback, joined by prediction id and row.
shifted = X_test.copy()
shifted["f0"] = shifted["f0"] + 1.5
labels = ((shifted.f0 + 0.8 * shifted.f1 - 0.6 * shifted.f2) > 0).astype(int).to_numpy()
feedback, served, predicted = [], 0, []
for start in range(0, len(shifted), 25):
    batch = shifted.iloc[start:start + 25]
    r = requests.post(f"{url}/deployments/{args.name}/invocations", json={"dataframe_split": {"columns": list(batch.columns), "data": batch.values.tolist()}}, timeout=60)
    if r.status_code != 200:
        sys.exit(f"invocations failed with {r.status_code}: {r.text}")
    pid = r.headers["x-capstan-prediction-id"]
    preds = r.json()["predictions"]
    predicted += [p["label"] for p in preds]
    feedback += [{"predictionId": pid, "row": i, "label": int(labels[start + i])} for i in range(len(batch))]
    served += len(batch)
call("POST", "/feedback", json={"items": feedback})

# 5. What Capstan saw.
alerts = call("POST", f"/monitors/{args.name}/evaluate")["alerts"]
drift = call("GET", f"/monitors/{args.name}/drift")["windows"]
latest = [w for w in drift if w["inputs"]][-1]
performance = call("GET", f"/monitors/{args.name}/performance")["windows"]
measured = [w for w in performance if w["labeledRows"]][-1]
summary = {
    "model": args.name, "version": version, "test_accuracy": round(float(test_accuracy), 4),
    "reference_rows": reference["reference"]["rows"], "served_rows": served,
    "drifted_columns": sorted(c for c, d in latest["inputs"]["columns"].items() if d["drift_detected"]),
    "dataset_drift": latest["inputs"]["dataset_drift"],
    "live_accuracy": measured["metrics"]["accuracy"], "expected_accuracy": round(float(np.mean(np.array(predicted) == labels)), 4),
    "estimated_accuracy": measured["estimated"].get("accuracy"),
    "alerts": [a["summary"] for a in alerts],
}
print(json.dumps(summary, indent=2))
