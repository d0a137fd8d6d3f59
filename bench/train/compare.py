"""Trains LightGBM and scikit-learn's HistGradientBoostingClassifier on the raw float32 data that
bench/scenarios/train.mjs wrote (same rows as @capstan/train saw), with the same settings: 100
rounds, learning rate 0.1, 31 leaves, 255 bins, min 20 rows per leaf, no early stopping. Prints
one JSON line per library."""
import json, sys, time, os
import numpy as np

path, rows, cols, test_rows = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
threads = int(os.environ.get("BENCH_THREADS", "1"))
X = np.fromfile(f"{path}/train_X.f32", dtype=np.float32).reshape(rows, cols)
y = np.fromfile(f"{path}/train_y.i32", dtype=np.int32)
Xt = np.fromfile(f"{path}/test_X.f32", dtype=np.float32).reshape(test_rows, cols)
yt = np.fromfile(f"{path}/test_y.i32", dtype=np.int32)
from sklearn.metrics import accuracy_score, roc_auc_score

def report(name, fit, proba):
    t0, c0 = time.perf_counter(), time.process_time()
    model = fit()
    secs, cpu = time.perf_counter() - t0, time.process_time() - c0
    p = proba(model)
    print(json.dumps({"library": name, "train_seconds": round(secs, 2), "train_cpu_seconds": round(cpu, 2), "threads": threads,
                      "test_accuracy": round(float(accuracy_score(yt, p > 0.5)), 4), "test_auc": round(float(roc_auc_score(yt, p)), 4)}), flush=True)

try:
    import lightgbm as lgb
    report("lightgbm", lambda: lgb.LGBMClassifier(n_estimators=100, learning_rate=0.1, num_leaves=31, max_bin=255, min_child_samples=20,
                                                  reg_lambda=0.0, n_jobs=threads, verbose=-1).fit(X, y),
           lambda m: m.predict_proba(Xt)[:, 1])
except ImportError as e:
    print(json.dumps({"library": "lightgbm", "error": f"not installed: {e}"}), flush=True)

from sklearn.ensemble import HistGradientBoostingClassifier
os.environ["OMP_NUM_THREADS"] = str(threads)
report("sklearn-hgb", lambda: HistGradientBoostingClassifier(max_iter=100, learning_rate=0.1, max_leaf_nodes=31, max_bins=255,
                                                             min_samples_leaf=20, early_stopping=False).fit(X, y),
       lambda m: m.predict_proba(Xt)[:, 1])
