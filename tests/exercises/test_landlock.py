"""Landlock confinement of the grader's worker: writes inside the folder only (Linux 5.13+)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from nnlab.exercises._landlock import landlock_abi

SCRIPT = """
import os, sys
from nnlab.exercises._landlock import confine_writes
inside, outside = sys.argv[1], sys.argv[2]
assert confine_writes(inside)
open(os.path.join(inside, "ok.txt"), "w").write("x")
os.mkdir(os.path.join(inside, "sub"))
open(os.devnull, "w").write("x")
for attempt in (lambda: open(outside, "w"), lambda: os.mkdir(outside + ".d")):
    try:
        attempt()
    except PermissionError:
        continue
    sys.exit("escaped")
child = [sys.executable, "-c", f"open({outside!r}, 'w')"]
sys.exit(0 if __import__("subprocess").run(child).returncode != 0 else "child escaped")
"""


@pytest.mark.skipif(landlock_abi() == 0, reason="this Linux kernel offers no Landlock")
def test_writes_are_confined_to_the_folder_for_the_process_and_its_children(
    tmp_path: Path,
) -> None:
    inside = tmp_path / "inside"
    inside.mkdir()
    outside = tmp_path / "outside.txt"
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(inside), str(outside)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert (inside / "ok.txt").exists() and (inside / "sub").is_dir()
    assert not outside.exists() and not Path(str(outside) + ".d").exists()


def test_landlock_abi_is_a_version_number() -> None:
    assert landlock_abi() >= 0
