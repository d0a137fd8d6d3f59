#!/usr/bin/env python3
"""Golden values for Capstan's exact-mode drift engine.

Writes drift-golden.json next to this file: for every case, how to rebuild the input data and the
value Evidently's stattest (or scipy, where Evidently cannot run) computes for it, plus full
DataDriftPreset reports. packages/server/test/monitoring/drift-golden.test.ts rebuilds the data and
compares.

Run:  python tests/golden/generate.py [--out PATH]   (see requirements.txt; evidently is optional)

Data are rebuilt, not stored: each array is a generator spec (seed, size, distribution) for a
counter-based PRNG written identically here and in packages/server/test/monitoring/golden-data.ts.
It uses only integer operations and correctly rounded +, -, *, /, sqrt and floor, so numpy and
JavaScript produce the same bits.

Without evidently (and pandas), values come from a direct scipy transcription of Evidently's
stattests (`scipy_score` below). With it, both are computed and must agree to 1e-9, except where
Evidently's own code is off (exact Cramér–von Mises) or tie-breaks by rounding noise (TVD); see
docs/drift.md.
"""
from __future__ import annotations

import json
import math
import os
import sys
import warnings
from collections import Counter
from pathlib import Path

import numpy as np
import scipy
from scipy import stats
from scipy.spatial import distance

warnings.filterwarnings("ignore")

if os.environ.get("PYTHONHASHSEED") != "0":  # set iteration order (hence float sums in Evidently) must not vary per run
    os.environ["PYTHONHASHSEED"] = "0"
    os.execv(sys.executable, [sys.executable, *sys.argv])

try:
    import pandas as pd
    import evidently
    from evidently.legacy.calculations.stattests.registry import get_registered_stattest
    from evidently.legacy.core import ColumnType as EvColumnType

    EVIDENTLY = evidently.__version__
except Exception:  # noqa: BLE001 - any import problem means "not available"
    EVIDENTLY = None

OUT = Path(__file__).with_name("drift-golden.json")
if "--out" in sys.argv:  # CI writes a fresh copy elsewhere and points the tests at it (CAPSTAN_DRIFT_GOLDEN)
    OUT = Path(sys.argv[sys.argv.index("--out") + 1])
M32 = 0xFFFFFFFF

# ----------------------------------------------------------------------------- shared PRNG


def h32(x: np.ndarray) -> np.ndarray:
    """lowbias32 integer hash on uint64 arrays holding 32-bit values."""
    x = x & M32
    x = x ^ (x >> 16)
    x = (x * 0x7FEB352D) & M32
    x = x ^ (x >> 15)
    x = (x * 0x846CA68B) & M32
    x = x ^ (x >> 16)
    return x


def uniforms(seed: int, count: int) -> np.ndarray:
    """count doubles in [0, 1) with 53 random bits: word j = h32(h32(j) ^ h32(seed ^ 0x9E3779B9))."""
    base = h32(np.array([seed ^ 0x9E3779B9], dtype=np.uint64))[0]
    j = np.arange(2 * count, dtype=np.uint64)
    w = h32(h32(j) ^ base)
    hi = (w[0::2] >> 5).astype(np.float64)
    lo = (w[1::2] >> 6).astype(np.float64)
    return (hi * 67108864.0 + lo) / 9007199254740992.0


def generate(spec: dict):
    """Rebuilds one array from its spec; numbers as float64 (NaN = missing), labels as list."""
    if "values" in spec:
        return np.array([decode_number(v) for v in spec["values"]], dtype=np.float64)
    if "labels" in spec and "dist" not in spec:
        return list(spec["labels"])
    n = spec["n"]
    dist = spec["dist"]
    loc = spec.get("loc", 0.0)
    scale = spec.get("scale", 1.0)
    if dist == "modseq":
        i = np.arange(spec.get("start", 0), spec.get("start", 0) + n, dtype=np.int64)
        x = ((i * spec["a"]) % spec["m"]) / spec["div"] * spec.get("mul", 1.0) + spec.get("add", 0.0)
    elif dist == "constant":
        x = np.full(n, float(loc))
    elif dist == "normal":
        u = uniforms(spec["seed"], 4 * n)
        x = loc + scale * ((u[0::4] + u[1::4] + u[2::4] + u[3::4] - 2.0) * math.sqrt(3.0))
    elif dist == "uniform":
        x = loc + scale * uniforms(spec["seed"], n)
    elif dist == "pareto":
        x = loc + scale * (1.0 / (1.0 - uniforms(spec["seed"], n)) - 1.0)
    elif dist == "int":
        x = loc + np.floor(uniforms(spec["seed"], n) * scale)
    elif dist == "categorical":
        w = spec["weights"]
        total = 0.0
        for v in w:
            total += v
        cum, acc = [], 0.0
        for v in w:
            acc += v
            cum.append(acc / total)
        u = uniforms(spec["seed"], n)
        idx = np.searchsorted(np.array(cum), u, side="right")
        labels = [spec["labels"][k] for k in idx]
        for i in range(n):
            if spec.get("null_every") and i % spec["null_every"] == spec["null_every"] - 1:
                labels[i] = None
        return labels
    else:
        raise ValueError(dist)
    if "round" in spec:
        p = 10.0 ** spec["round"]
        x = np.floor(x * p + 0.5) / p
    i = np.arange(n)
    if spec.get("inf_every"):
        k = spec["inf_every"]
        hit = i % k == k - 1
        x = np.where(hit & ((i // k) % 2 == 0), np.inf, np.where(hit, -np.inf, x))
    if spec.get("nan_every"):
        k = spec["nan_every"]
        x = np.where(i % k == k - 1, np.nan, x)
    if spec.get("keep_every"):
        x = np.where(i % spec["keep_every"] == 0, x, np.nan)
    return x.astype(np.float64)


def decode_number(v):
    return {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}.get(v, v) if isinstance(v, str) else (math.nan if v is None else float(v))


def clean(data):
    if isinstance(data, list):
        return [v for v in data if v is not None]
    return data[np.isfinite(data)]


# ------------------------------------------------- Evidently's stattests transcribed onto scipy


def binned(ref, cur, ctype, fill):
    if ctype == "num" and len(np.unique(ref)) > 20:
        bins = np.histogram_bin_edges(np.concatenate([ref, cur]), bins="sturges")
        r = np.histogram(ref, bins)[0] / len(ref)
        c = np.histogram(cur, bins)[0] / len(cur)
    else:
        rc, cc = Counter(ref), Counter(cur)
        keys = list(set(rc) | set(cc))
        r = np.array([rc.get(k, 0) / len(ref) for k in keys])
        c = np.array([cc.get(k, 0) / len(cur) for k in keys])
    if fill:
        for p in (r, c):
            m = min(p[p != 0])
            np.place(p, p == 0, m / 10**6 if m <= 0.0001 else 0.0001)
    return r, c


def hellinger(ref, cur, ctype):
    keys = list(set(ref) | set(cur))
    if ctype != "num":
        rc, cc = Counter(ref), Counter(cur)
        s = 0.0
        for k in keys:
            s += math.sqrt(rc.get(k, 0) / len(ref) * (cc.get(k, 0) / len(cur)))
        return math.sqrt(1 - float(np.clip(s, 0, 1)))
    bins = np.histogram_bin_edges(np.array(keys, dtype=ref.dtype), bins="sturges")
    h1 = np.histogram(ref, bins=bins, density=True)[0]
    h2 = np.histogram(cur, bins=bins, density=True)[0]
    width = (max(bins) - min(bins)) / (len(bins) - 1)
    s = 0.0
    for i in range(len(h1)):
        s += math.sqrt(float(h1[i]) * float(h2[i])) * width
    return math.sqrt(1 - float(np.clip(s, 0, 1)))


def z_test(ref, cur):
    if len(set(ref)) == 1 and len(set(cur)) == 1 and set(ref) == set(cur):
        return 1.0
    first = sorted(set(ref) | set(cur))[0]
    x1 = np.array([0 if v == first else 1 for v in ref])
    x2 = np.array([0 if v == first else 1 for v in cur])
    n1, n2 = len(x1), len(x2)
    p1, p2 = float(sum(x1)) / n1, float(sum(x2)) / n2
    P = float(p1 * n1 + p2 * n2) / (n1 + n2)
    z = (p1 - p2) / np.sqrt(P * (1 - P) * (1.0 / n1 + 1.0 / n2))
    return float(2 * (1 - stats.norm.cdf(np.abs(z))))


def chisquare(ref, cur):
    rc, cc = Counter(ref), Counter(cur)
    keys = list(set(rc) | set(cc))
    k = len(cur) / len(ref)
    return float(stats.chisquare([cc.get(x, 0) for x in keys], [rc.get(x, 0) * k for x in keys])[1])


def g_test(ref, cur):
    rc, cc = Counter(ref), Counter(cur)
    keys = list(set(rc) | set(cc))
    k = len(cur) / len(ref)
    return float(stats.power_divergence([cc.get(x, 0) for x in keys], [rc.get(x, 0) * k for x in keys], lambda_="log-likelihood")[1])


def fisher(ref, cur):
    cats = sorted(set(ref) | set(cur), key=str)
    if len(cats) > 2:
        raise ValueError("more than two categories")
    one = cats[0]
    table = [[sum(v == one for v in cur), sum(v != one for v in cur)], [sum(v == one for v in ref), sum(v != one for v in ref)]]
    return float(stats.fisher_exact(table)[1])


def tvd_value(ref, cur):
    keys = list(set(ref) | set(cur))
    rc, cc = Counter(ref), Counter(cur)
    r = np.array([rc.get(k, 0) for k in keys], dtype=float)
    c = np.array([cc.get(k, 0) for k in keys], dtype=float)
    return 0.5 * np.sum(np.abs(r / r.sum() - c / c.sum()))


def tvd(ref, cur):
    observed = tvd_value(ref, cur)
    np.random.seed(0)
    combined = list(ref) + list(cur)
    stat = []
    for _ in range(1000):
        new_ref = np.random.choice(combined, len(ref), replace=False).tolist()
        new_cur = list((Counter(combined) - Counter(new_ref)).elements())
        stat.append(tvd_value(new_ref, new_cur))
    return float(sum(observed <= np.abs(np.array(stat))) / 1000)


def tvd_exact(ref, cur):
    """Evidently's TVD permutation p-value with the same numpy stream, but distances compared exactly
    (as integers 2·n1·n2·TVD). Returns (p, number of reshuffles whose distance ties the observed one)."""
    keys = {k: i for i, k in enumerate(sorted(set(ref) | set(cur), key=repr))}
    pooled = np.array([keys[v] for v in list(ref) + list(cur)])
    n1, n2 = len(ref), len(cur)
    totals = np.bincount(pooled, minlength=len(keys)).astype(np.int64)

    def scaled(idx):
        a = np.bincount(pooled[idx], minlength=len(keys)).astype(np.int64)
        return int(np.sum(np.abs(a * n2 - (totals - a) * n1)))

    observed = scaled(np.arange(n1))
    np.random.seed(0)
    stats_ = [scaled(np.random.permutation(n1 + n2)[:n1]) for _ in range(1000)]
    return sum(s >= observed for s in stats_) / 1000, sum(s == observed for s in stats_)


def epps_singleton(ref, cur):
    if stats.iqr(np.hstack((ref, cur))) == 0:
        raise ValueError("IQR is zero")
    return float(stats.epps_singleton_2samp(ref, cur)[1])


def scipy_score(name, ref, cur, ctype):
    """Evidently's stattest `name` on cleaned data, through scipy only."""
    if name == "ks":
        return float(stats.ks_2samp(ref, cur)[1])
    if name == "chisquare":
        return chisquare(ref, cur)
    if name == "z":
        return z_test(ref, cur)
    if name == "jensenshannon":
        return float(distance.jensenshannon(*binned(ref, cur, ctype, False)))
    if name == "wasserstein":
        return float(stats.wasserstein_distance(ref, cur) / max(float(np.std(ref)), 0.001))
    if name == "psi":
        r, c = binned(ref, cur, ctype, True)
        return float(np.sum((r - c) * np.log(r / c)))
    if name == "kl_div":
        return float(stats.entropy(*binned(ref, cur, ctype, True)))
    if name == "hellinger":
        return hellinger(ref, cur, ctype)
    if name == "anderson":
        return float(stats.anderson_ksamp([ref, cur])[2])
    if name == "cramer_von_mises":
        return float(stats.cramervonmises_2samp(ref, cur).pvalue)
    if name == "ed":
        return float(stats.energy_distance(ref, cur))
    if name == "es":
        return epps_singleton(ref, cur)
    if name == "t_test":
        return float(stats.ttest_ind(ref, cur)[1])
    if name == "mannw":
        return float(stats.mannwhitneyu(ref, cur, alternative="less")[1])
    if name == "g_test":
        return g_test(ref, cur)
    if name == "fisher_exact":
        return fisher(ref, cur)
    if name == "TVD":
        return tvd(ref, cur)
    raise ValueError(name)


# --------------------------------------------------------------------------------- Evidently


def series(data, dtype):
    if dtype == "int":
        return pd.Series(data.astype(np.int64))
    if dtype == "bool":
        return pd.Series([v == "true" for v in data], dtype=bool)
    if dtype == "string":
        return pd.Series(data, dtype=object)
    return pd.Series(data)


def evidently_score(name, ref, cur, ctype, dtype):
    """(score, drifted) from Evidently's own stattest, on data cleaned as get_one_column_drift does."""
    r = series(ref, dtype).replace([-np.inf, np.inf], np.nan).dropna()
    c = series(cur, dtype).replace([-np.inf, np.inf], np.nan).dropna()
    ft = EvColumnType.Numerical if ctype == "num" else EvColumnType.Categorical
    res = get_registered_stattest(name, ft)(r, c, ft, None)
    return float(res.drift_score), bool(res.drifted)


# ------------------------------------------------------------------------------------ cases

DEFAULT_THRESHOLD = {"ks": 0.05, "chisquare": 0.05, "z": 0.05, "jensenshannon": 0.1, "wasserstein": 0.1, "psi": 0.1, "kl_div": 0.1,
                     "hellinger": 0.1, "anderson": 0.1, "cramer_von_mises": 0.1, "ed": 0.1, "es": 0.05, "t_test": 0.05, "mannw": 0.05,
                     "g_test": 0.1, "fisher_exact": 0.1, "TVD": 0.1}
RULE = {"ks": "le", "cramer_von_mises": "le", "ed": "gt", "jensenshannon": "ge", "wasserstein": "ge", "psi": "ge", "kl_div": "ge", "hellinger": "ge"}


def drifted(name, score):
    t = DEFAULT_THRESHOLD[name]
    rule = RULE.get(name, "lt")
    return {"le": score <= t, "lt": score < t, "ge": score >= t, "gt": score > t}[rule]


def normal(seed, n, loc=0.0, scale=1.0, **kw):
    return {"dist": "normal", "seed": seed, "n": n, "loc": loc, "scale": scale, **kw}


def cat(seed, n, weights, labels=None, **kw):
    return {"dist": "categorical", "seed": seed, "n": n, "weights": weights, "labels": labels or [chr(97 + i) for i in range(len(weights))], **kw}


def R(start, stop, **kw):
    return {"dist": "modseq", "n": stop - start, "start": start, "a": 7919, "m": 1000, "div": 10, **kw}


NUM_PAIRS = {
    "normal 300/400 same": (normal(1, 300), normal(2, 400)),
    "normal 300/400 shift .15": (normal(1, 300), normal(2, 400, 0.15)),
    "normal 300/400 shift .5": (normal(1, 300), normal(2, 400, 0.5)),
    "normal 300/400 scale 1.5": (normal(1, 300), normal(2, 400, 0, 1.5)),
    "normal 2000/1500 shift .05": (normal(3, 2000), normal(4, 1500, 0.05)),
    "normal 2000/1500 shift .3": (normal(3, 2000), normal(4, 1500, 0.3)),
    "ties 500/450 shift .1": (normal(5, 500, round=1), normal(6, 450, 0.1, round=1)),
    "ties heavy 400/400": (normal(7, 400, round=0), normal(8, 400, 0.2, round=0)),
    "nan and inf": (normal(9, 700, nan_every=7, inf_every=11), normal(10, 600, 0.2, nan_every=5)),
    "equal n 500/500 shift .1": (normal(11, 500), normal(12, 500, 0.1)),
    "small 8/12": (normal(13, 8), normal(14, 12, 0.8)),
    "small 6/6": (normal(15, 6), normal(16, 6, 1.0)),
    "small 20/15": (normal(17, 20), normal(18, 15, 0.4)),
    "tiny 3/2": ({"values": [0.5, 1.5, -0.25]}, {"values": [2.0, 0.75]}),
    "heavy tail 2000/1500": ({"dist": "pareto", "seed": 19, "n": 2000}, {"dist": "pareto", "seed": 20, "n": 1500, "scale": 1.1}),
    "uniform vs disjoint": ({"dist": "uniform", "seed": 21, "n": 300}, {"dist": "uniform", "seed": 22, "n": 250, "loc": 5}),
    "large 20000/15000 shift .02": (normal(23, 20000), normal(24, 15000, 0.02)),
    "large 20000/15000 shift .06": (normal(23, 20000), normal(24, 15000, 0.06)),
    "few uniques int-like 600/500": ({"dist": "int", "seed": 25, "n": 600, "scale": 15}, {"dist": "int", "seed": 26, "n": 500, "scale": 16}),
    "research R vs C": (R(0, 2000), {"dist": "modseq", "n": 1500, "a": 104729, "m": 1300, "div": 10, "add": 5}),
    "research R1200 vs C900": (R(0, 1200), {"dist": "modseq", "n": 900, "a": 104729, "m": 1300, "div": 10, "add": 5}),
    "research R300 vs R+3": (R(0, 300), R(300, 700, add=3)),
    "research R300 vs R+8": (R(0, 300), R(300, 700, add=8)),
    "research R500 vs R+4": (R(0, 500), R(500, 1000, add=4)),
    "research R50 vs R*1.3": (R(0, 50), R(50, 120, mul=1.3)),
    "constant same": ({"dist": "constant", "n": 50, "loc": 1.0}, {"dist": "constant", "n": 60, "loc": 1.0}),
    "constant vs other constant": ({"dist": "constant", "n": 50, "loc": 1.0}, {"dist": "constant", "n": 60, "loc": 2.0}),
}
INT_PAIRS = {
    "int 1500/1200 range 40": ({"dist": "int", "seed": 27, "n": 1500, "scale": 40}, {"dist": "int", "seed": 28, "n": 1200, "scale": 44}),
    "int 300/300 range 12": ({"dist": "int", "seed": 29, "n": 300, "scale": 12}, {"dist": "int", "seed": 30, "n": 300, "scale": 12, "loc": 1}),
}
NUM_TESTS = ["ks", "wasserstein", "psi", "kl_div", "jensenshannon", "hellinger", "anderson", "cramer_von_mises", "ed", "t_test", "mannw", "es"]

CAT_PAIRS = {
    "cat 3 same": (cat(31, 600, [5, 3, 2]), cat(32, 500, [5, 3, 2])),
    "cat 3 shifted": (cat(31, 600, [5, 3, 2]), cat(32, 500, [4, 3, 3])),
    "cat unseen in current": (cat(33, 600, [5, 3, 2]), cat(34, 500, [5, 3, 2, 1])),
    "cat many 5000/4000": (cat(35, 5000, [10, 9, 8, 7, 6, 5, 4, 3, 2, 1]), cat(36, 4000, [10, 9, 8, 7, 6, 5, 4, 3, 2, 1.2])),
    "cat with nulls": (cat(37, 400, [2, 1, 1], null_every=6), cat(38, 380, [1, 1, 1], null_every=4)),
    "binary same": (cat(39, 900, [7, 3]), cat(40, 700, [7, 3])),
    "binary shifted": (cat(39, 900, [7, 3]), cat(40, 700, [6, 4])),
    "binary equal n 200/200": (cat(41, 200, [1, 1]), cat(42, 200, [1, 1.4])),
    "binary equal n 50/50": (cat(43, 50, [1, 1]), cat(44, 50, [1, 2])),
    "binary equal n 12/12 same": (cat(45, 12, [1, 1]), cat(46, 12, [1, 1])),
    "single value same": ({"labels": ["a"] * 30}, {"labels": ["a"] * 20}),
    "single value different": ({"labels": ["a"] * 30}, {"labels": ["b"] * 20}),
    "one side binary": ({"labels": ["a"] * 30}, {"labels": ["a"] * 15 + ["b"] * 5}),
    "evidently fixture": ({"labels": [str(i) for i, k in zip(range(1, 7), [16, 18, 16, 14, 12, 12]) for _ in range(k)]},
                          {"labels": [str(i) for i, k in zip(range(1, 7), [16, 16, 16, 16, 16, 8]) for _ in range(k)]}),
    "unicode order": ({"labels": ["\uff5e"] * 10 + ["\U0001f600"] * 5 + ["a"] * 7}, {"labels": ["\uff5e"] * 6 + ["\U0001f600"] * 9 + ["a"] * 7}),
}
CAT_TESTS = ["chisquare", "z", "jensenshannon", "psi", "kl_div", "hellinger", "g_test", "fisher_exact", "TVD"]

def ab(a_ref, b_ref, a_cur, b_cur):
    return ({"labels": ["a"] * a_ref + ["b"] * b_ref}, {"labels": ["a"] * a_cur + ["b"] * b_cur})


BINARY_PAIRS = {
    "binary 1000/1000 near": (cat(51, 1000, [1, 1]), cat(52, 1000, [1, 1.1])),
    "binary 1000/1000 far": (cat(51, 1000, [1, 1]), cat(52, 1000, [1, 1.6])),
    "binary 3000/3000": (cat(53, 3000, [3, 1]), cat(54, 3000, [3, 1.08])),
    "binary 500/300": (cat(55, 500, [1, 1]), cat(56, 300, [1, 1.3])),
    "binary 7/7": (cat(57, 7, [1, 1]), cat(58, 7, [1, 3])),
    "mirrored 12:8 vs 8:12": ab(12, 8, 8, 12),
    "mirrored 30:20 vs 20:30": ab(30, 20, 20, 30),
    "identical 10:10": ab(10, 10, 10, 10),
    "all a vs 60:40": ab(100, 0, 60, 40),
    "extreme 200:0 vs 0:200": ab(200, 0, 0, 200),
    "rare 995:5 vs 980:20": ab(995, 5, 980, 20),
}
BINARY_TESTS = ["fisher_exact", "g_test", "z", "chisquare", "TVD"]

# two-sample KS with one side > 10000: kstwo branches by en = round(mn/(m+n)) and D
KS_BRANCH_PAIRS = {
    f"ks n={m}/{n} shift {s}": (normal(100 + i, m), normal(200 + i, n, s))
    for i, (m, n, s) in enumerate([
        (20000, 100, 0.0), (20000, 100, 0.25), (20000, 100, 0.6), (20000, 100, 2.5), (20000, 100, 6.0),
        (20000, 300, 0.1), (20000, 300, 0.45), (20000, 5000, 0.01), (20000, 5000, 0.03), (20000, 5000, 0.08), (20000, 5000, 0.3),
        (20000, 100, 0.35), (20000, 100, 0.45), (20000, 5000, 1.0),
        (12000, 12000, 0.0), (12000, 12000, 0.05), (300000, 300000, 0.003), (300000, 300000, 0.01), (30000, 1, 0.0), (30000, 3, 1.0),
        (10000, 9000, 0.03), (10000, 9000, 0.1), (10000, 10000, 0.04), (10000, 500, 0.1), (10001, 500, 0.1),
    ])
}
KS_BRANCH_PAIRS.update({
    f"ks asymp grids 20000/15000 offset {off}": ({"dist": "modseq", "n": 20000, "a": 7919, "m": 20000, "div": 20000},
                                                 {"dist": "modseq", "n": 15000, "a": 104729, "m": 15000, "div": 15000, "add": off})
    for off in (0.0, 0.001, 0.002)
})


def kstwo_branch(d, n):
    t = n * d
    if d >= 1 or d <= 0 or t <= 1:
        return "ends"
    if t >= n - 1 or d >= 0.5:
        return "smirnov" if d >= 0.5 and t < n - 1 else "ends"
    x2 = t * d
    if n <= 140:
        return "durbin" if x2 <= 0.754693 else "pomeranz" if x2 <= 4 else "smirnov"
    if x2 >= 370:
        return "zero"
    if x2 >= 2.2:
        return "smirnov"
    return "durbin" if n <= 100000 and n * d**1.5 <= 1.4 else "pelz-good"


def stattest_cases():
    cases = []
    groups = [(NUM_PAIRS, NUM_TESTS, "num", "float"), (INT_PAIRS, NUM_TESTS, "num", "int"), (KS_BRANCH_PAIRS, ["ks"], "num", "float"),
              (CAT_PAIRS, CAT_TESTS, "cat", "string"), (BINARY_PAIRS, BINARY_TESTS, "cat", "string"), ({"int categories": ({"dist": "int", "seed": 47, "n": 500, "scale": 4}, {"dist": "int", "seed": 48, "n": 450, "scale": 5})},
                                                        CAT_TESTS, "cat", "int"), ({"bool": (cat(49, 300, [1, 2], ["false", "true"]), cat(50, 300, [1, 1.5], ["false", "true"]))},
                                                                                   CAT_TESTS, "cat", "bool")]
    for pairs, tests, ctype, dtype in groups:
        for label, (rspec, cspec) in pairs.items():
            ref = clean(generate(rspec))
            cur = clean(generate(cspec))
            if dtype == "int":
                ref, cur = ref.astype(np.int64), cur.astype(np.int64)
            for name in tests:
                case = {"name": f"{name}: {label}", "stattest": name, "column_type": ctype, "dtype": dtype, "reference": rspec, "current": cspec}
                try:
                    value = scipy_score(name, ref, cur, ctype)
                except Exception as e:  # noqa: BLE001
                    case["error"] = type(e).__name__ + ": " + str(e)[:120]
                    cases.append(case)
                    continue
                case["expected"] = value
                case["drift"] = drifted(name, value)
                case["source"] = "scipy"
                if name == "TVD":
                    # Evidently compares float distances, so reshuffles tying the observed distance count by
                    # rounding noise; expected is the exact count, `evidently` may differ by at most `ties`/1000
                    exact, ties = tvd_exact(ref, cur)
                    assert abs(exact - value) <= ties / 1000 + 1e-12, case["name"]
                    case.update(expected=exact, drift=drifted(name, exact), evidently=value, ties=ties,
                                source="exact replica of Evidently's permutations (same MT19937 stream)")
                    cases.append(case)
                    continue
                if EVIDENTLY and name in ("g_test", "fisher_exact") and len(ref) != len(cur):
                    case["source"] = "scipy (Evidently raises when the sizes differ)"
                elif EVIDENTLY:
                    try:
                        ev, ev_drift = evidently_score(name, ref, cur, ctype, dtype)
                    except Exception as e:  # noqa: BLE001
                        case["source"] = "scipy (Evidently raises: " + type(e).__name__ + ")"
                    else:
                        same = math.isclose(ev, value, rel_tol=1e-9, abs_tol=1e-15) or (math.isnan(ev) and math.isnan(value))
                        if name == "cramer_von_mises" and max(len(ref), len(cur)) <= 20:
                            # Evidently's copy of the exact distribution counts in np.min_scalar_type(float) =
                            # float16/float32; scipy's counts in integers. We follow scipy.
                            case["source"] = "scipy (Evidently's exact CvM uses float16/32 counts)"
                            if not same:
                                case["evidently"] = ev
                            cases.append(case)
                            continue
                        if not same:
                            raise AssertionError(f"{case['name']}: evidently {ev} != scipy {value}")
                        case["expected"] = ev
                        case["source"] = f"evidently {EVIDENTLY}"
                        if not math.isnan(ev):
                            assert ev_drift == case["drift"], case["name"]
                if name == "ks":
                    d = float(stats.ks_2samp(ref, cur).statistic)
                    m, n = sorted([len(ref), len(cur)], reverse=True)
                    exact = max(m, n) <= 10000
                    case["branch"] = "exact" if exact else "asymp/" + kstwo_branch(d, round(m * n / (m + n)))
                cases.append(case)
    return cases


def sturges_cases():
    out = []
    for n, lo, span, integer in [(3500, 0.0, 130.0, False), (16384, 0.0, 1.1, False), (16384, 3.0, 1.1, False), (1000, -2.5, 7.3, False),
                                 (1, 4.0, 0.0, False), (7, 1.0, 0.0, False), (2700, 0.0, 39.0, True), (100, 0.0, 3.0, True), (600, 0.0, 14.0, True)]:
        data = np.linspace(lo, lo + span, n) if not integer else np.round(np.linspace(lo, lo + span, n)).astype(np.int64)
        edges = np.histogram_bin_edges(data, bins="sturges")
        out.append({"min": float(data.min()), "max": float(data.max()), "count": n, "integer": integer, "edges": [float(e) for e in edges]})
    return out


# ---------------------------------------------------------------------------- full reports

REPORT_COLUMNS = {
    "num_shift": ("float", lambda s, n, k: normal(s, n, 0.25 * k)),
    "num_same": ("float", lambda s, n, k: normal(s, n)),
    "num_nan": ("float", lambda s, n, k: normal(s, n, 0.1 * k, round=1, nan_every=3 if k == 0 else 9)),
    "num_sparse": ("float", lambda s, n, k: normal(s, n, 0.2 * k, keep_every=4)),
    "num_three": ("float", lambda s, n, k: {"dist": "int", "seed": s, "n": n, "scale": 3 + k}),
    "num_binary": ("float", lambda s, n, k: {"dist": "int", "seed": s, "n": n, "scale": 2}),
    "int_high": ("int", lambda s, n, k: {"dist": "int", "seed": s, "n": n, "scale": 60, "loc": 3 * k}),
    "int_low": ("int", lambda s, n, k: {"dist": "int", "seed": s, "n": n, "scale": 6}),
    "cat_three": ("string", lambda s, n, k: cat(s, n, [3, 2, 1 + k])),
    "cat_nulls": ("string", lambda s, n, k: cat(s, n, [1, 1, 1, 1], null_every=5)),
    "flag": ("bool", lambda s, n, k: cat(s, n, [2, 1 + 0.5 * k], ["false", "true"])),
}

REPORTS = [
    ("small default", 800, 700, {}),
    ("large default", 3000, 2500, {}),
    ("large with options", 3000, 2500, {"num_method": "psi", "cat_method": "hellinger", "per_column_method": {"num_shift": "anderson", "int_low": "chisquare"},
                                        "threshold": 0.2, "num_threshold": 0.15, "per_column_threshold": {"num_same": 0.01}, "drift_share": 0.3}),
    ("small forced ks", 800, 700, {"method": "ks", "cat_method": "jensenshannon", "columns": ["num_shift", "num_same", "int_high", "cat_three", "flag"]}),
]
OPTION_NAMES = {"method": "stattest", "threshold": "threshold", "drift_share": "driftShare", "columns": "columns"}


def capstan_options(o):
    out = {OPTION_NAMES[k]: v for k, v in o.items() if k in OPTION_NAMES}
    by_type = {}
    for kind in ("num", "cat", "text"):
        entry = {}
        if f"{kind}_method" in o:
            entry["stattest"] = o[f"{kind}_method"]
        if f"{kind}_threshold" in o:
            entry["threshold"] = o[f"{kind}_threshold"]
        if entry:
            by_type[kind] = entry
    if by_type:
        out["byType"] = by_type
    per = {}
    for c, m in o.get("per_column_method", {}).items():
        per.setdefault(c, {})["stattest"] = m
    for c, t in o.get("per_column_threshold", {}).items():
        per.setdefault(c, {})["threshold"] = t
    if per:
        out["perColumn"] = per
    return out


def report_cases():
    if not EVIDENTLY:
        return []
    from evidently import Report
    from evidently.legacy.calculations.stattests.registry import _registered_stat_tests
    from evidently.presets import DataDriftPreset

    display = {t.display_name: name for name, by_type in _registered_stat_tests.items() for t in by_type.values()}
    display.update({name: name for name in _registered_stat_tests})
    out = []
    for r_i, (label, n_ref, n_cur, options) in enumerate(REPORTS):
        ref_cols, cur_cols, frames = {}, {}, ({}, {})
        for c_i, (col, (dtype, make)) in enumerate(REPORT_COLUMNS.items()):
            for side, (n, k, cols) in enumerate([(n_ref, 0, ref_cols), (n_cur, 1, cur_cols)]):
                spec = make(1000 + 100 * r_i + 2 * c_i + side, n, k)
                cols[col] = {"dtype": dtype, "data": spec}
                data = generate(spec)
                frames[side][col] = series(np.asarray(data) if dtype != "string" else data, dtype) if dtype != "bool" else series(data, dtype)
        ref_df, cur_df = pd.DataFrame(frames[0]), pd.DataFrame(frames[1])
        result = Report([DataDriftPreset(**options)]).run(cur_df, ref_df).dict()
        columns = {}
        count = None
        for m in result["metrics"]:
            cfg = m["config"]
            if cfg["type"].endswith("DriftedColumnsCount"):
                count = m["value"]
            elif cfg["type"].endswith("ValueDrift"):
                columns[cfg["column"]] = {"stattest": display[cfg["method"]], "score": float(m["value"]), "threshold": float(cfg["threshold"])}
        out.append({"name": label, "reference": ref_cols, "current": cur_cols, "options": capstan_options(options),
                    "expected": {"columns": columns, "number_of_drifted_columns": int(count["count"]), "share_of_drifted_columns": float(count["share"]),
                                 "drift_share": options.get("drift_share", 0.5)}})
    return out


def main():
    golden = {
        "generated_by": "tests/golden/generate.py",
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "evidently": EVIDENTLY,
        "tolerance": {"relative": 1e-6, "absolute": 1e-12},
        "sturges": sturges_cases(),
        "stattests": stattest_cases(),
        "reports": report_cases(),
    }
    text = json.dumps(golden, indent=None, separators=(",", ":"), allow_nan=True)
    text = text.replace("NaN", '"nan"')
    OUT.write_text(text + "\n")
    n = len(golden["stattests"])
    print(f"wrote {OUT} ({len(text) // 1024} KB): {n} stattest cases, {len(golden['reports'])} reports, evidently={EVIDENTLY}", file=sys.stderr)


if __name__ == "__main__":
    main()
