"""The pass rate of Keras's own tests and guides on nnlab.keras (issue 11's acceptance target).

    python benchmarks/keras_compat.py            # run tests/keras/guides, print the rate per source
    python benchmarks/keras_compat.py --update   # also rewrite tests/keras/guides/xfails.py

Rate of a source file = passed / (passed + xfailed): each case is one ported Keras test or guide
snippet; an xfailed case is one that fails because of a missing nnlab feature (the registry
``tests/keras/guides/xfails.py`` names the feature). A case that fails while not registered, or
passes while registered (strict xfail), is a failure of the suite and is printed as such.

``--update`` records every failing case in the registry with the feature its error names (the first
line of the exception, mapped through ``FEATURES`` to a short name) and drops the cases that pass;
it never registers a passing case. The ranking of missing features by blocked cases follows.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SUITE = ROOT / "tests" / "keras" / "guides"
REGISTRY = SUITE / "xfails.py"

# error text -> the missing feature it shows (first match wins; else the error's first line)
FEATURES: list[tuple[str, str]] = [
    (
        r"has no attribute 'ops'|No module named 'nnlab.keras.ops'|cannot import name 'ops'",
        "keras.ops",
    ),
    (r"has no attribute 'Variable'", "keras.Variable"),
    (
        r"unexpected positional arguments \(<KerasTensor",
        "keras.Model subclass built functionally: Sub(inputs, outputs)",
    ),
    (r"module 'nnlab\.(keras[\w.]*)' has no attribute '(\w+)'", r"\1.\2"),
    (r"'(\w+)' object has no attribute '(\w+)'", r"\1.\2"),
    (r"has no attribute '(\w+)'", r"missing attribute \1"),
    (r"cannot import name '(\w+)'", r"missing name \1"),
    (r"got an unexpected keyword argument '(\w+)'", r"unsupported argument \1="),
    (r"Regex pattern did not match", "error message differs from Keras's"),
]


def feature_of(message: str) -> str:
    first = message.strip().splitlines()[0] if message.strip() else "unknown failure"
    for pattern, name in FEATURES:
        m = re.search(pattern, first)
        if m:
            return m.expand(name)
    return first[:120]


def run_suite(extra: list[str]) -> list[tuple[str, str, str]]:
    """(file, case id, outcome, message) rows from one pytest run over the suite."""
    with tempfile.TemporaryDirectory() as tmp:
        xml_path = Path(tmp) / "report.xml"
        env = dict(os.environ, KERAS_BACKEND="torch", MPLBACKEND="Agg")
        env.setdefault("PYTHONPATH", str(ROOT / "src"))
        cmd = [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            str(SUITE),
            f"--junitxml={xml_path}",
            "-o",
            "junit_family=xunit1",
            *extra,
        ]
        subprocess.run(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, check=False)
        rows = []
        for case in ET.parse(xml_path).getroot().iter("testcase"):
            file = Path(case.get("file", "")).name or case.get("classname", "").split(".")[-1]
            cid = case.get("name", "")
            outcome, message = "passed", ""
            for child in case:
                if child.tag in ("failure", "error"):
                    outcome, message = "failed", child.get("message", "")
                elif child.tag == "skipped":
                    kind = child.get("type", "")
                    outcome = "xfailed" if "xfail" in kind else "skipped"
                    message = child.get("message", "")
            if outcome == "failed" and "[XPASS(strict)]" in message:
                outcome = "xpassed"
            rows.append((file, cid, outcome, message))
        return rows


def write_registry(entries: dict[str, str]) -> None:
    lines = [
        "# ruff: noqa: E501  (generated: one case per line)",
        '"""Cases of the acceptance suite that fail because nnlab.keras lacks a feature:',
        "test id -> the missing feature.",
        "Applied as ``xfail(strict=True)`` by conftest.py; written by",
        '``python benchmarks/keras_compat.py --update`` (a case that passes is never listed)."""',
        "",
        "XFAILS: dict[str, str] = {",
    ]
    for key in sorted(entries):
        lines.append(f"    {json.dumps(key)}: {json.dumps(entries[key])},")
    lines += ["}", ""]
    tmp = REGISTRY.with_suffix(".tmp")
    tmp.write_text("\n".join(lines))
    tmp.replace(REGISTRY)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help="rewrite the xfail registry")
    args = parser.parse_args()
    rows = run_suite(["--runxfail"] if args.update else [])
    if args.update:
        entries = {
            f"{file}::{cid}": feature_of(msg)
            for file, cid, outcome, msg in rows
            if outcome == "failed"
        }
        write_registry(entries)
        rows = run_suite([])
    per_file: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for file, _cid, outcome, _msg in rows:
        per_file[file][outcome] += 1
    total: collections.Counter[str] = collections.Counter()
    print(f"{'source':42s} {'passed':>6s} {'xfail':>6s} {'other':>6s}  rate")
    for file in sorted(per_file):
        c = per_file[file]
        total.update(c)
        n = c["passed"] + c["xfailed"]
        other = c["failed"] + c["xpassed"]
        rate = c["passed"] / n if n else float("nan")
        print(f"{file:42s} {c['passed']:6d} {c['xfailed']:6d} {other:6d}  {rate:6.1%}")
    n = total["passed"] + total["xfailed"]
    print(
        f"{'TOTAL':42s} {total['passed']:6d} {total['xfailed']:6d} "
        f"{total['failed'] + total['xpassed']:6d}  {total['passed'] / max(n, 1):6.1%}"
    )
    sys.path.insert(0, str(SUITE))
    from xfails import XFAILS  # noqa: E402  (the registry, read after an update)

    ranked = collections.Counter(XFAILS.values()).most_common()
    print("\nmissing features by blocked cases:")
    for feature, count in ranked:
        print(f"  {count:4d}  {feature}")
    bad = [(f, c, o, m) for f, c, o, m in rows if o in ("failed", "xpassed")]
    for file, cid, outcome, msg in bad:
        print(f"UNEXPECTED {outcome}: {file}::{cid}: {msg.splitlines()[0] if msg else ''}")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
