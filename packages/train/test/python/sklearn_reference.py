"""Reference results from scikit-learn for @capstan/train's quality tests.

Builds fixed, offline datasets (sklearn's bundled ones and seeded generators), splits them into
train/test, fits scikit-learn's estimators that correspond to each Capstan trainer, and writes one
JSON file: the data (so the TypeScript side trains on exactly the same rows) and sklearn's test
metrics. Usage: python sklearn_reference.py OUT.json
"""
import json
import sys
import time

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_breast_cancer, load_diabetes, load_wine, make_classification, make_friedman1
from sklearn.ensemble import (HistGradientBoostingClassifier, HistGradientBoostingRegressor,
                              RandomForestClassifier, RandomForestRegressor)
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.calibration import calibration_curve
from sklearn.metrics import (accuracy_score, average_precision_score, confusion_matrix, log_loss, mean_absolute_error,
                             mean_squared_error, precision_recall_fscore_support, r2_score, roc_auc_score)
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
import pandas as pd


def frame(X, names):
    return pd.DataFrame(np.asarray(X, dtype=float), columns=names)


def mixed(n, seed, task):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({f"x{i}": rng.normal(size=n) for i in range(4)})
    df["city"] = rng.choice(["north", "south", "east", "west"], size=n, p=[0.4, 0.3, 0.2, 0.1])
    df["plan"] = rng.choice(["basic", "pro", "enterprise"], size=n)
    effect = df["city"].map({"north": 0.0, "south": 1.0, "east": -1.0, "west": 2.0}) + df["plan"].map({"basic": -1.0, "pro": 0.5, "enterprise": 1.5})
    z = 1.5 * df.x0 - df.x1 + 0.5 * df.x2 * df.x3 + effect
    if task == "classification":
        y = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(int)
    else:
        y = z + rng.normal(scale=0.5, size=n)
    df.loc[rng.random(n) < 0.1, "x0"] = np.nan
    df.loc[rng.random(n) < 0.05, "x2"] = np.nan
    return df, pd.Series(y, name="target")


def datasets():
    bc = load_breast_cancer()
    yield "breast_cancer", "classification", frame(bc.data, [f"f{i}" for i in range(bc.data.shape[1])]), pd.Series(bc.target)
    wine = load_wine()
    yield "wine", "classification", frame(wine.data, [f"f{i}" for i in range(wine.data.shape[1])]), pd.Series(wine.target)
    X, y = make_classification(n_samples=3000, n_features=20, n_informative=10, n_classes=4, n_clusters_per_class=2, random_state=7)
    yield "synthetic_multiclass", "classification", frame(X, [f"f{i}" for i in range(20)]), pd.Series(y)
    X, y = mixed(3000, 11, "classification")
    yield "mixed_classification", "classification", X, y
    d = load_diabetes()
    yield "diabetes", "regression", frame(d.data, d.feature_names), pd.Series(d.target)
    X, y = make_friedman1(n_samples=3000, n_features=10, noise=1.0, random_state=3)
    yield "friedman1", "regression", frame(X, [f"f{i}" for i in range(10)]), pd.Series(y)
    X, y = mixed(3000, 12, "regression")
    yield "mixed_regression", "regression", X, y


def preprocessor(X, scale):
    cats = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
    nums = [c for c in X.columns if c not in cats]
    num = make_pipeline(SimpleImputer(strategy="mean"), *( [StandardScaler()] if scale else []))
    parts = [("num", num, nums)]
    if cats:
        parts.append(("cat", OneHotEncoder(handle_unknown="ignore"), cats))
    return ColumnTransformer(parts)


def estimators(task):
    if task == "classification":
        return {
            "logistic_regression": (True, lambda: LogisticRegression(C=1.0, max_iter=5000, tol=1e-8)),
            "gradient_boosting": (False, lambda: HistGradientBoostingClassifier(random_state=0)),
            "random_forest": (False, lambda: RandomForestClassifier(n_estimators=100, random_state=0)),
        }
    return {
        "linear_regression": (True, lambda: LinearRegression()),
        "ridge": (True, lambda: Ridge(alpha=1.0)),
        "gradient_boosting": (False, lambda: HistGradientBoostingRegressor(random_state=0)),
        "random_forest": (False, lambda: RandomForestRegressor(n_estimators=100, random_state=0)),
    }


def column_json(df):
    out = {}
    for c in df.columns:
        vals = df[c].tolist()
        out[c] = [None if (isinstance(v, float) and np.isnan(v)) else v for v in vals]
    return out


def metric_check(task, y_true, out):
    """sklearn's metric values on sklearn's own predictions, to check @capstan/train's metric code."""
    y = np.asarray(y_true)
    if task == "regression":
        pred = np.asarray(out)
        return {"y": y.tolist(), "pred": pred.tolist(), "r2": r2_score(y, pred), "rmse": float(np.sqrt(mean_squared_error(y, pred))), "mae": mean_absolute_error(y, pred)}
    proba = np.asarray(out)
    pred = proba.argmax(axis=1)
    check = {"y": y.tolist(), "proba": proba.tolist(), "accuracy": accuracy_score(y, pred), "log_loss": log_loss(y, proba),
             "confusion_matrix": confusion_matrix(y, pred).tolist()}
    for avg in ("macro", "weighted"):
        p, r, f, _ = precision_recall_fscore_support(y, pred, average=avg, zero_division=0)
        check.update({f"precision_{avg}": p, f"recall_{avg}": r, f"f1_{avg}": f})
    if proba.shape[1] == 2:
        check["roc_auc"] = roc_auc_score(y, proba[:, 1])
        check["average_precision"] = average_precision_score(y, proba[:, 1])
        frac, mean_pred = calibration_curve(y, proba[:, 1], n_bins=10)
        check["calibration"] = {"fraction_positive": frac.tolist(), "mean_predicted": mean_pred.tolist()}
    else:
        check["roc_auc"] = roc_auc_score(y, proba, multi_class="ovr")
    return check


def main(path):
    result = {"sklearn_version": __import__("sklearn").__version__, "datasets": {}}
    for name, task, X, y in datasets():
        strat = y if task == "classification" else None
        X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, random_state=0, stratify=strat)
        if name == "mixed_classification":
            X_te = X_te.copy()
            X_te.iloc[:15, X_te.columns.get_loc("city")] = "unseen-city"
        models = {}
        for model, (scale, make) in estimators(task).items():
            pipe = make_pipeline(preprocessor(X_tr, scale), make())
            t0 = time.perf_counter()
            pipe.fit(X_tr, y_tr)
            secs = time.perf_counter() - t0
            if task == "classification":
                proba = pipe.predict_proba(X_te)
                pred = pipe.predict(X_te)
                auc = roc_auc_score(y_te, proba[:, 1]) if proba.shape[1] == 2 else roc_auc_score(y_te, proba, multi_class="ovr")
                metrics = {"accuracy": accuracy_score(y_te, pred), "roc_auc": auc, "log_loss": log_loss(y_te, proba)}
                out = proba.tolist()
            else:
                pred = pipe.predict(X_te)
                metrics = {"r2": r2_score(y_te, pred), "rmse": float(np.sqrt(mean_squared_error(y_te, pred)))}
                out = pred.tolist()
            if model in ("logistic_regression", "ridge") and name in ("breast_cancer", "synthetic_multiclass", "diabetes"):
                result.setdefault("metric_checks", {})[name] = metric_check(task, y_te, out)
            models[model] = {"metrics": metrics, "fit_seconds": secs, "predictions": out if model in ("logistic_regression", "linear_regression", "ridge") else None}
        train = column_json(X_tr)
        train["target"] = y_tr.tolist()
        test = column_json(X_te)
        test["target"] = y_te.tolist()
        result["datasets"][name] = {"task": task, "label": "target", "train": train, "test": test, "models": models}
    with open(path, "w") as fh:
        json.dump(result, fh)


if __name__ == "__main__":
    main(sys.argv[1])
