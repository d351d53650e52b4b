"""Run every script in a folder (``eval`` or ``bench``) and print what each one prints.

Evaluation scripts read the public benchmarks from ../shared/data when present and skip with a
message otherwise; benchmarks print per-core throughputs and ratios (the machines are shared,
so compare ratios). Training scripts (``train_*.py``, ``fit_*.py``) and private modules are
not run. The exit code is non-zero when any script failed.

    python tools/run_scripts.py eval|bench
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SKIPPED_PREFIXES = ("train_", "fit_", "_")


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not (ROOT / argv[0]).is_dir():
        print("usage: python tools/run_scripts.py eval|bench", file=sys.stderr)
        return 2
    folder = ROOT / argv[0]
    scripts = sorted(p for p in folder.glob("*.py") if not p.name.startswith(SKIPPED_PREFIXES))
    failed = []
    for script in scripts:
        print(f"\n=== {argv[0]}/{script.name} ===", flush=True)
        if subprocess.call([sys.executable, str(script)], cwd=ROOT) != 0:
            failed.append(script.name)
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
