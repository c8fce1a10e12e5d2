#!/usr/bin/env python3
"""`./dev bench-spark`: the Spark job in local mode against the native CLI on
a demo city (default `l`: ~200k cadres, ~6M records), printed, not asserted.

- native: `zhichu layout --json` without --unit (loads the files, computes
  every cadre's reserves, ranks the units): load + all reserves;
- Python package: `zhichu.load` + `Dataset.reserves()` (every cadre ×
  dimension with percentiles) in one process;
- Spark: `spark/zhichu_spark.py --master local[N]` as a separate process
  (JVM + Python workers): reserves, percentiles, layout, compliance, report.

Peak memory is the largest sum of RSS over the process and its children,
sampled every 50 ms from /proc (Spark's JVM and its Python workers together).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _children(pid):
    kids = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                kids.setdefault(ppid, []).append(int(d))
            except (OSError, IndexError, ValueError):
                pass
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, []))
    return out


def _rss(pid):
    total = 0
    for p in _children(pid):
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
        except OSError:
            pass
    return total


def measure(cmd, env=None):
    """(seconds, peak bytes of the process tree, stdout)."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    peak = [0]

    def watch():
        while p.poll() is None:
            peak[0] = max(peak[0], _rss(p.pid))
            time.sleep(0.05)

    w = threading.Thread(target=watch, daemon=True)
    w.start()
    out, err = p.communicate()
    dt = time.perf_counter() - t0
    w.join()
    if p.returncode != 0:
        sys.stderr.write(err.decode(errors="replace")[-4000:])
        raise SystemExit(f"{cmd[0]} failed ({p.returncode})")
    return dt, peak[0], out.decode(errors="replace")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", default="target/release/zhichu")
    ap.add_argument("--scale", default="l")
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--buckets", type=int, default=None)
    ap.add_argument("--keep", default=None, help="write the demo and the outputs here (default: a temporary folder)")
    a = ap.parse_args()

    tmp = Path(a.keep) if a.keep else Path(tempfile.mkdtemp(prefix="zhichu-bench-spark-"))
    data, out = tmp / f"demo_{a.scale}", tmp / "spark_out"
    if not (data / "records.csv").exists():
        print(f"writing the {a.scale} demo city as CSV to {data} …", flush=True)
        subprocess.run([a.cli, "demo", "--scale", a.scale, "--headers", "en", "--out", str(data)], check=True, stdout=subprocess.DEVNULL)
    records = sum(1 for _ in open(data / "records.csv", encoding="utf-8-sig")) - 1
    cadres = sum(1 for _ in open(data / "cadres.csv", encoding="utf-8-sig")) - 1
    size = sum(f.stat().st_size for f in data.iterdir())
    print(f"{a.scale}: {cadres:,} cadres, {records:,} records, {size / 1e6:.0f} MB of CSV; {os.cpu_count()} cores", flush=True)

    rows = []
    dt, peak, _ = measure([a.cli, "layout", "--data", str(data), "--json"])
    rows.append(("native CLI (load + all reserves + unit ranking)", dt, peak))
    code = (
        "import sys, time, zhichu; t=time.perf_counter(); ds=zhichu.load(sys.argv[1]); t1=time.perf_counter(); "
        "r=ds.reserves(); t2=time.perf_counter(); print(r.num_rows, round(t1-t, 3), round(t2-t1, 3))"
    )
    dt, peak, o = measure([sys.executable, "-c", code, str(data)])
    n, tl, tr = o.split()
    rows.append((f"Python package (load {tl} s + reserves() {tr} s)", dt, peak))
    cmd = [sys.executable, str(HERE / "zhichu_spark.py"), "--data", str(data), "--out", str(out), "--master", a.master]
    if a.buckets:
        cmd += ["--buckets", str(a.buckets)]
    dt, peak, o = measure(cmd)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    rows.append((f"Spark {a.master} (whole job; engine stage {summary['timings']['engine_s']} s)", dt, peak))

    print(f"\n{'':62} {'time':>9} {'peak RSS':>10} {'µs/record':>10}")
    for name, dt, peak in rows:
        print(f"{name:62} {dt:8.1f}s {peak / 2**20:8.0f} MB {dt / records * 1e6:10.2f}")
    print(f"\nSpark summary: as_of {summary['as_of']}, {summary['cadres']:,} cadres, buckets {summary['buckets']}, errors {summary['errors']}; timings {summary['timings']}")
    if not a.keep:
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
