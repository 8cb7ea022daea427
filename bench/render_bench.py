#!/usr/bin/env python3
"""Benchmark: `kubectl starform render` of a large desired state, parse to output.

    bench/render_bench.py [--apps 10000] [--runs 7] [--binary build-release/kubectl-starform]

Generates the state with bench/gen_state.py as JSON and as YAML, then runs the real binary
--runs times per format (JSON in, -o json out; YAML in, -o yaml out), output to /dev/null, and
prints the median and the spread of wall time, CPU time (user+sys) and peak RSS. CPU time is
quoted beside wall time because a shared 2-core machine inflates wall time when it is busy.
Budgets (issue 2): JSON to JSON under 1 s, YAML to YAML under 3 s, median wall time.
"""

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def run_once(argv):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    with open(os.devnull, "wb") as devnull:
        proc = subprocess.run(argv, stdout=devnull, stderr=subprocess.PIPE)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(argv)} failed ({proc.returncode}): {proc.stderr.decode()[:2000]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, after.ru_maxrss / 1024.0  # ru_maxrss: KiB, the largest child so far


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--apps", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--binary", default=os.path.join(ROOT, "build-release", "kubectl-starform"))
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        cases = []
        for fmt, budget in (("json", 1.0), ("yaml", 3.0)):
            path = os.path.join(tmp, f"state.{fmt}")
            with open(path, "w") as out:
                subprocess.run([sys.executable, os.path.join(HERE, "gen_state.py"), "--apps",
                                str(args.apps), "--format", fmt], stdout=out, check=True)
            cases.append((fmt, path, budget, os.path.getsize(path)))

        print(f"render of {args.apps} apps, {args.runs} runs each, binary {args.binary}")
        print(f"{'case':<14}{'input':>10}{'wall median':>13}{'wall min..max':>18}"
              f"{'cpu median':>12}{'peak RSS':>11}  budget")
        for fmt, path, budget, size in cases:
            argv = [args.binary, "render", "-f", path, "-o", fmt]
            run_once(argv)  # warm the page cache
            samples = [run_once(argv) for _ in range(args.runs)]
            walls = [s[0] for s in samples]
            cpus = [s[1] for s in samples]
            rss = max(s[2] for s in samples)
            median = statistics.median(walls)
            verdict = "ok" if median <= budget else "OVER"
            print(f"{fmt + ' -> ' + fmt:<14}{size / 1e6:>8.1f}MB{median:>12.3f}s"
                  f"{min(walls):>9.3f}..{max(walls):.3f}s{statistics.median(cpus):>11.3f}s"
                  f"{rss:>9.0f}MB  < {budget:.0f} s {verdict}")


if __name__ == "__main__":
    main()
