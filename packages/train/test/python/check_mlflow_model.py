"""Loads an MLflow model directory written by @capstan/train with MLflow itself and prints JSON:
the onnx checker verdict and pyfunc predictions on the saved input example."""
import json
import sys

import mlflow.pyfunc
import onnx
import pandas as pd

path = sys.argv[1]
onnx.checker.check_model(onnx.load(f"{path}/model.onnx"), full_check=True)
model = mlflow.pyfunc.load_model(path)
with open(f"{path}/input_example.json") as fh:
    example = json.load(fh)
df = pd.DataFrame(example["data"], columns=example["columns"])
# pandas 3 stores strings as an extension dtype that onnxruntime does not accept; use object arrays
df = df.astype({c: object for c in df.columns if not pd.api.types.is_numeric_dtype(df[c])})
# the inputs are [N, 1] tensors (one per column), as skl2onnx emits; pyfunc's DataFrame path feeds
# 1-D arrays, so feed a dict of column arrays shaped [N, 1] through the same pyfunc wrapper
feeds = {c: (df[c].to_numpy(dtype="float32") if pd.api.types.is_numeric_dtype(df[c]) else df[c].to_numpy(dtype=object)).reshape(-1, 1) for c in df.columns}
out = model.get_raw_model().run(None, feeds) if hasattr(model, "get_raw_model") else None
names = [o.name for o in model.get_raw_model().get_outputs()]
out = dict(zip(names, out))
print(json.dumps({
    "signature_inputs": [c["name"] for c in json.loads(model.metadata.signature.inputs.to_json())],
    "outputs": {k: v.tolist() for k, v in out.items()} if isinstance(out, dict) else out.to_dict(orient="list"),
}))
