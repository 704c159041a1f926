"""``make bench``: every benchmark in turn, each in its own process and on its own throw-away
SQLite database (or BENCH_DATABASE_URL)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = [
    ["pages.py"],  # HTTP throughput under gunicorn and wrk; PostgreSQL and Redis of its own
    ["report.py"],
    ["accountability.py"],
    ["assessment_submit.py"],
    ["reminders_fanout.py", "--members", "2000", "5000"],  # PostgreSQL of its own (BENCH_POSTGRES)
]


def main() -> int:
    failed = 0
    for script, *args in BENCHMARKS:
        print(f"== {script} {' '.join(args)}".rstrip(), flush=True)
        env = dict(os.environ)
        env["DATABASE_URL"] = env.get("BENCH_DATABASE_URL") or (
            f"sqlite:///{tempfile.mkdtemp(prefix='bench-')}/bench.sqlite3")
        # Our own scripts, run with our own interpreter: no untrusted input.
        failed += subprocess.call([sys.executable, str(HERE / script), *args], env=env) != 0  # noqa: S603
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
