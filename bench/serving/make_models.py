"""Makes the two serving benchmark models and registers them on a Capstan server.

    MLFLOW_TRACKING_URI=http://127.0.0.1:PORT .venv/bin/python bench/serving/make_models.py OUT_DIR

- lr: LogisticRegression on 20 features (one FP32 input X[?,20]).
- rf: RandomForestClassifier, 100 trees, max_depth 10, same data.
Both converted with skl2onnx (zipmap False), logged with mlflow.onnx.log_model and registered as
versions 1 of `lr` and `rf` with the official mlflow client. The same ONNX bytes are written to
OUT_DIR/{lr,rf}.onnx (for the in-process limit and the bare node:http server), and
OUT_DIR/models.json holds a sample row and Python onnxruntime's answer for it.
"""
import json
import os
import sys

import mlflow
import mlflow.onnx
import numpy as np
import onnxruntime as rt
from skl2onnx import to_onnx
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression

out_dir = sys.argv[1]
os.makedirs(out_dir, exist_ok=True)
rng = np.random.RandomState(42)
X = rng.randn(5000, 20).astype(np.float32)
w = rng.randn(20)
y = (X @ w + 0.5 * rng.randn(5000) > 0).astype(np.int64)
row = X[:1]

result = {"features": 20, "row": row[0].tolist(), "models": {}}
for name, est in (("lr", LogisticRegression(max_iter=1000)), ("rf", RandomForestClassifier(n_estimators=100, max_depth=10, random_state=0, n_jobs=1))):
    est.fit(X, y)
    onx = to_onnx(est, X[:1], options={id(est): {"zipmap": False}}, target_opset={"": 17, "ai.onnx.ml": 3})
    path = os.path.join(out_dir, f"{name}.onnx")
    with open(path, "wb") as f:
        f.write(onx.SerializeToString())
    with mlflow.start_run():
        mlflow.onnx.log_model(onx, name="model", input_example=X[:3], registered_model_name=name)
    sess = rt.InferenceSession(path, providers=["CPUExecutionProvider"])
    label, proba = sess.run(None, {"X": row})
    result["models"][name] = {"path": path, "uri": f"models:/{name}/1", "label": label.tolist(), "probabilities": proba.tolist(), "bytes": os.path.getsize(path)}

with open(os.path.join(out_dir, "models.json"), "w") as f:
    json.dump(result, f)
print("ok")
