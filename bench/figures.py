"""The reliability figures that docs/reliability.md quotes, in one run.

    python bench/figures.py

Runs the fault, fuzz and round-trip tests in one process with their output shown (pytest-xdist would
swallow it) and prints every `FIGURE name=value` line they print, followed by the size of the injected
I/O-fault matrix (save paths x errors x calls), which no test needs to print. The tests assert what the
figures claim (every crash point killed, every example run, no cut silently valid); this only collects
the numbers. Exit status 1 when a test failed: the figures of a failing run are not worth quoting.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FILES = ["tests/test_faults.py", "tests/test_fuzz.py", "tests/test_roundtrip.py"]


def io_fault_figures() -> list[str]:
    """The matrix tests/test_faults.py injects: one fault per save path, error and I/O call."""
    sys.path.insert(0, str(REPO))
    from tests.test_faults import CALLS, ERRORS, SAVES

    saves, errors, calls = len(SAVES), len(ERRORS), len(CALLS)
    return [
        f"FIGURE io_faults_raised={saves * errors * calls} (save paths {saves} x errors {errors} x calls {calls})",
        f"FIGURE io_faults_progress_notices={errors * calls}",
    ]


def main() -> int:
    command = [sys.executable, "-m", "pytest", "-q", "-s", "-n", "0", "-p", "no:cacheprovider", *FILES]
    run = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
    figures = [line[line.index("FIGURE ") :] for line in run.stdout.splitlines() if "FIGURE " in line]
    print("\n".join([*figures, *io_fault_figures()]))
    if run.returncode != 0:
        print(run.stdout[-4000:] + run.stderr[-2000:], file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
