"""Run every evaluation script in eval/ and print their figures.

Scripts read the public benchmarks from ../shared/data when present and skip with a message
otherwise. Training scripts (train_*.py, fit_*.py) are not run.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    scripts = sorted(
        p for p in HERE.glob("*.py")
        if p.name != "run_all.py" and not p.name.startswith(("train_", "fit_", "_"))
    )
    failed = []
    for script in scripts:
        print(f"\n=== {script.name} ===", flush=True)
        rc = subprocess.call([sys.executable, str(script)], cwd=HERE.parent)
        if rc != 0:
            failed.append(script.name)
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
