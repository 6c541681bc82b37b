"""Scores generated cases with OSWorld's own metric functions, for tasks/tests/parity.rs.

    python driver.py --osworld DIR --work DIR --out FILE [--seed N]

DIR (--osworld) is the unzipped desktop-env wheel (the folder holding desktop_env/); scripts/
parity-env puts it beside the parity venv. The package's __init__ modules are never run (they
import every metric module and its heavy dependencies): desktop_env.evaluators.metrics is a bare
package whose submodules load from the wheel's files by path, and the imports in STUBS, which no
tested metric reaches, are stand-ins that raise when used.

Every `cases_<name>.py` beside this file is a generator: it has a function
`cases(gen: Gen) -> iterable of dict` (see README.md). Each generator gets its own
random.Random, seeded from --seed and its file name, and its own folder under --work for the files
it writes, so a case list is the same on every run with the same seed.

Output (--out), a JSON list with one object per case, in generator order:

    {
      "id": "compare_csv/007",          # metric/index within the metric
      "generator": "cases_table",
      "metric": "compare_csv",           # OSWorld's function name, also deskhand's metric name
      "module": "table",                 # OSWorld's module (desktop_env/evaluators/metrics/)
      "name": "BOM in the result",       # what the case is about
      "result": {"file": "/…/a.csv"},    # a value description (below), or absent: no getter
      "expected": {"files": [...]},      # likewise
      "options": {"strict": false},     # the metric's options (keyword arguments)
      "osworld": {"score": 0.0}          # or {"raises": "TypeError: …"}
    }

A value description is one of {"file": PATH or null} (null: the file was missing),
{"files": [PATH or null, …]}, {"text": STR} or {"json": VALUE}. OSWorld's function is called as
OSWorld's evaluator calls it: func(result, expected, **options), or func(result, **options)
when there is no "expected"; a file is its path (None when missing), text a str, JSON as loaded.
"""

import argparse
import contextlib
import hashlib
import importlib
import importlib.util
import io
import json
import logging
import math
import multiprocessing
import os
import random
import sys
import types
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent

# Top-level imports of OSWorld's metric modules that no tested metric reaches. A stand-in
# module answers any attribute with an object that raises when called, so `from docx import
# Document` succeeds and only a call would fail (and show up as "raises").
STUBS = [
    "PIL",
    "PyPDF2",
    "acoustid",
    "borb",
    "borb.pdf",
    "docx",
    "docx.shared",
    "docx.enum",
    "docx.enum.text",
    "easyocr",
    "fitz",
    "fastdtw",
    "formulas",
    "imagehash",
    "librosa",
    "odf",
    "odf.opendocument",
    "odf.text",
    "pdfplumber",
    "tldextract",
]


class _Stub:
    def __init__(self, name):
        self._name = name

    def __call__(self, *args, **kwargs):
        raise RuntimeError(f"{self._name} is stubbed in the parity venv")

    def __getattr__(self, attr):
        return _Stub(f"{self._name}.{attr}")

    def __mro_entries__(self, bases):
        return (object,)


def _stub_module(name):
    module = types.ModuleType(name)
    module.__path__ = []
    module.__getattr__ = lambda attr: _Stub(f"{name}.{attr}")
    return module


def load_osworld(root):
    """Makes `desktop_env.evaluators.metrics.<module>` importable from the unzipped wheel."""
    if "desktop_env.evaluators.metrics" in sys.modules:
        return  # a pool process running its second generator
    metrics_dir = Path(root) / "desktop_env" / "evaluators" / "metrics"
    if not (metrics_dir / "general.py").is_file():
        sys.exit(f"driver: no OSWorld metric code under {root} (run scripts/parity-env)")
    absent = {n.split(".")[0] for n in STUBS if importlib.util.find_spec(n.split(".")[0]) is None}
    for name in STUBS:
        if name.split(".")[0] in absent:
            sys.modules.setdefault(name, _stub_module(name))
    if "tldextract" not in absent:
        # compare_urls calls tldextract.extract, which would fetch the public suffix list; this
        # machine has no network for it: the list bundled with tldextract is used instead.
        import tldextract

        tldextract.extract = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
    parts = ["desktop_env", "desktop_env.evaluators", "desktop_env.evaluators.metrics"]
    for i, name in enumerate(parts):
        package = types.ModuleType(name)
        package.__path__ = [str(Path(root).joinpath(*name.split(".")[: i + 1]))]
        sys.modules[name] = package


def osworld_function(module, metric):
    return getattr(importlib.import_module(f"desktop_env.evaluators.metrics.{module}"), metric)


class Gen:
    """What a generator gets: a seeded random source, a folder, and helpers for cases."""

    def __init__(self, name, seed, work):
        digest = hashlib.sha256(f"{seed}:{name}".encode()).digest()
        self.rng = random.Random(int.from_bytes(digest[:8], "big"))
        self.dir = Path(work) / name
        self.dir.mkdir(parents=True, exist_ok=True)
        self._n = 0

    def path(self, suffix=""):
        """A fresh path in this generator's folder (nothing is written there)."""
        self._n += 1
        return self.dir / f"f{self._n:04d}{suffix}"

    def write(self, content, suffix=".txt", encoding="utf-8", newline=""):
        """Writes text (or bytes) to a fresh file, newlines untranslated; returns its path."""
        p = self.path(suffix)
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            with open(p, "w", encoding=encoding, newline=newline) as f:
                f.write(content)
        return p

    @staticmethod
    def file(path):
        return {"file": None if path is None else str(path)}

    @staticmethod
    def files(paths):
        return {"files": [None if p is None else str(p) for p in paths]}

    @staticmethod
    def text(s):
        return {"text": s}

    @staticmethod
    def json(v):
        return {"json": v}

    @staticmethod
    def missing():
        return {"file": None}


def python_value(desc):
    if "file" in desc:
        return desc["file"]
    if "files" in desc:
        return list(desc["files"])
    if "text" in desc:
        return desc["text"]
    if "json" in desc:
        return desc["json"]
    raise ValueError(f"bad value description {desc!r}")


def score(func, case):
    args = [python_value(case["result"])] if "result" in case else [None]
    if "expected" in case:
        args.append(python_value(case["expected"]))
    options = case.get("options", {})
    sink = io.StringIO()  # the metrics print; stdout is not ours to fill
    try:
        with contextlib.redirect_stdout(sink):
            got = func(*args, **options)
    except (Exception, SystemExit) as e:  # noqa: BLE001 - OSWorld raising is a result
        return {"raises": f"{type(e).__name__}: {e}"[:300]}
    try:
        value = float(got)
    except (TypeError, ValueError):
        return {"raises": f"returned {got!r}, not a number"[:300]}
    if math.isnan(value):
        return {"raises": "returned NaN"}
    return {"score": value}


def run_generator(job):
    """Writes one generator's files and scores its cases with OSWorld's functions."""
    name, seed, work, osworld = job
    logging.disable(logging.CRITICAL)
    warnings.simplefilter("ignore")  # FutureWarning on nested sets in patterns, pandas' notices
    load_osworld(osworld)
    if str(HERE) not in sys.path:
        sys.path.insert(0, str(HERE))
    module = importlib.import_module(name)
    gen = Gen(name, seed, work)
    per_metric = {}
    out = []
    for case in module.cases(gen):
        metric = case["metric"]
        index = per_metric.get(metric, 0)
        per_metric[metric] = index + 1
        func = osworld_function(case["module"], metric)
        record = {"id": f"{metric}/{index:03d}", "generator": name, **case}
        record["osworld"] = score(func, case)
        out.append(record)
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--osworld", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--only", help="run only this generator (e.g. cases_table)")
    args = parser.parse_args()

    generators = sorted(p.stem for p in HERE.glob("cases_*.py"))
    if args.only:
        generators = [g for g in generators if g == args.only]
    jobs = [(name, args.seed, args.work, args.osworld) for name in generators]
    # One process per generator, as many at once as there are cores: OSWorld's compare_table
    # (openpyxl and pandas) dominates, and the generators share nothing.
    workers = max(1, min(len(jobs), os.cpu_count() or 1))
    # The largest generators start first (their size stands in for their cost); the output
    # keeps the generators' order.
    order = sorted(range(len(jobs)), key=lambda i: -(HERE / f"{jobs[i][0]}.py").stat().st_size)
    if workers > 1:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            pending = {i: pool.apply_async(run_generator, (jobs[i],)) for i in order}
            parts = [pending[i].get() for i in range(len(jobs))]
    else:
        parts = [run_generator(job) for job in jobs]
    out = [case for part in parts for case in part]
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=1, allow_nan=False)
    print(f"driver: {len(out)} cases from {len(generators)} generators", file=sys.stderr)


if __name__ == "__main__":
    main()
