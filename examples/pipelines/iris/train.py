"""Trains a logistic regression and logs it to the step's MLflow run (MLFLOW_RUN_ID is set by Capstan)."""
import os
import pickle
import sys

import mlflow
import pandas as pd
from sklearn.linear_model import LogisticRegression

data, c, out = sys.argv[1], float(sys.argv[2]), sys.argv[3]
train = pd.read_csv(os.path.join(data, "train.csv"))
model = LogisticRegression(C=c, max_iter=500).fit(train.drop(columns=["target"]), train["target"])
with mlflow.start_run():
    mlflow.log_param("C", c)
    mlflow.log_metric("train_accuracy", model.score(train.drop(columns=["target"]), train["target"]))
with open(out, "wb") as f:
    pickle.dump(model, f)
