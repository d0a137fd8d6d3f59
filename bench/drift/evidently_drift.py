"""Bench helper for bench/scenarios/drift.mjs (not a test).

  python bench/drift/evidently_drift.py generate ROWS SEED OUT_DIR   -> reference/current Parquet and CSV
  python bench/drift/evidently_drift.py evidently REF CUR OUT_JSON   -> Evidently's DataDriftPreset, timed

The data: 20 columns of mixed types (12 floats with different shapes, 2% NaN in four of them;
4 string categories; 4 integers, two of them with few values), the current file shifted in 6
columns. Evidently 0.7.x (pin evidently==0.7.21, pandas<3) runs in a venv outside the repo.
"""
import json
import sys
import time

import numpy as np


def generate(rows: int, seed: int, out_dir: str) -> None:
    import pandas as pd

    def table(rng, shift):
        cols = {}
        for i in range(12):
            kind = i % 4
            if kind == 0:
                x = rng.normal(0.3 * shift * (i < 6), 1.0, rows)
            elif kind == 1:
                x = rng.lognormal(0.0 + 0.2 * shift * (i < 6), 0.7, rows)
            elif kind == 2:
                x = rng.uniform(0, 10 + 2 * shift * (i < 6), rows)
            else:
                x = rng.gamma(2.0, 1.5, rows)
            if i % 3 == 0:
                x[rng.random(rows) < 0.02] = np.nan
            cols[f"f{i:02d}"] = np.round(x, 6)
        for j in range(4):
            k = 5 + 3 * j
            p = np.arange(1, k + 1, dtype=float)
            if shift and j < 2:
                p = p[::-1]
            cols[f"c{j}"] = np.array([f"v{v}" for v in range(k)])[rng.choice(k, rows, p=p / p.sum())]
        cols["i0"] = rng.integers(0, 4, rows)
        cols["i1"] = rng.integers(0, 3, rows)
        cols["i2"] = rng.poisson(20 + 2 * shift, rows)
        cols["i3"] = rng.integers(0, 100_000, rows)
        return pd.DataFrame(cols)

    ref = table(np.random.default_rng(seed), 0)
    cur = table(np.random.default_rng(seed + 1), 1)
    for name, df in (("reference", ref), ("current", cur)):
        df.to_parquet(f"{out_dir}/{name}.parquet", index=False)
        df.to_csv(f"{out_dir}/{name}.csv", index=False)


def evidently(ref_path: str, cur_path: str, out_path: str) -> None:
    import evidently as ev
    import pandas as pd
    from evidently import Report
    from evidently.legacy.calculations.stattests.registry import _registered_stat_tests
    from evidently.presets import DataDriftPreset

    display = {t.display_name: name for name, by_type in _registered_stat_tests.items() for t in by_type.values()}
    display.update({name: name for name in _registered_stat_tests})
    t0 = time.perf_counter()
    read = pd.read_parquet if ref_path.endswith(".parquet") else pd.read_csv
    ref, cur = read(ref_path), read(cur_path)
    t1 = time.perf_counter()
    result = Report([DataDriftPreset()]).run(cur, ref).dict()
    t2 = time.perf_counter()
    columns, count = {}, None
    for m in result["metrics"]:
        cfg = m["config"]
        if cfg["type"].endswith("DriftedColumnsCount"):
            count = m["value"]
        elif cfg["type"].endswith("ValueDrift"):
            columns[cfg["column"]] = {"stattest": display[cfg["method"]], "score": float(m["value"]), "threshold": float(cfg["threshold"])}
    with open(out_path, "w") as f:
        json.dump({"evidently": ev.__version__, "read_s": t1 - t0, "report_s": t2 - t1, "columns": columns,
                   "number_of_drifted_columns": int(count["count"]), "share_of_drifted_columns": float(count["share"])}, f)


if __name__ == "__main__":
    if sys.argv[1] == "generate":
        generate(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
    else:
        evidently(sys.argv[2], sys.argv[3], sys.argv[4])
