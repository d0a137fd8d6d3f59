"""Scores the model on the test split; writes a Metrics JSON file (logged to tracking by Capstan)."""
import json
import os
import pickle
import sys

import pandas as pd

data, model_path, out = sys.argv[1], sys.argv[2], sys.argv[3]
test = pd.read_csv(os.path.join(data, "test.csv"))
with open(model_path, "rb") as f:
    model = pickle.load(f)
accuracy = float(model.score(test.drop(columns=["target"]), test["target"]))
with open(out, "w") as f:
    json.dump({"accuracy": accuracy}, f)
print(f"accuracy {accuracy:.4f}")
