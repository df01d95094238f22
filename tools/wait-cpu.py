#!/usr/bin/env python3
"""wait-cpu.py: the wait sampler's CPU time beside the run's, from /proc, so its cost can be told on a
machine too noisy for throughput ratios. Starts one `pgpagebench run` step (run options from the command
line), and over a span of its measured window reads the CPU time of: the sampler's thread (named
pgpb-waits), the rest of the run's process, the sampler's backend and the run's worker backends (found in
pg_stat_activity by application_name). The server must be local (/proc). Not part of make check.

Usage: PGHOST=... tools/wait-cpu.py SECONDS [run options...]
  e.g. tools/wait-cpu.py 10 --queries keyset --pools 16 --offsets 0 --duration 20s --warmup 2s
"""
import os
import subprocess
import sys
import tempfile
import time

TICK = os.sysconf("SC_CLK_TCK")


def cpu(path):
    with open(path) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime


def psql(sql):
    return subprocess.run(["psql", "-X", "-A", "-t", "-c", sql], capture_output=True, text=True).stdout.split()


def snapshot(run_pid):
    thread = rest = 0.0
    for tid in os.listdir(f"/proc/{run_pid}/task"):
        with open(f"/proc/{run_pid}/task/{tid}/comm") as f:
            name = f.read().strip()
        c = cpu(f"/proc/{run_pid}/task/{tid}/stat")
        if name == "pgpb-waits":
            thread += c
        else:
            rest += c
    sampler = psql("SELECT pid FROM pg_stat_activity WHERE application_name = 'pgpagebench wait sampler'")
    workers = psql(f"SELECT pid FROM pg_stat_activity WHERE application_name = 'pgpagebench run worker {run_pid}'")
    backend = {p: cpu(f"/proc/{p}/stat") for p in sampler + workers if os.path.exists(f"/proc/{p}/stat")}
    return thread, rest, {p: backend[p] for p in sampler if p in backend}, {p: backend[p] for p in workers if p in backend}


def main():
    span, opts = float(sys.argv[1]), sys.argv[2:]
    binary = os.environ.get("PGPB_BIN", os.path.join(os.path.dirname(__file__), "..", "build", "pgpagebench"))
    out = tempfile.mkdtemp(prefix="wait-cpu.")
    run = subprocess.Popen([binary, "run", *opts, "--no-plot", "--no-progress", "--quiet", "--force", "--out", out],
                           stdout=subprocess.DEVNULL)
    # the measured window: once the step's workers are connected and the sampler counts (a few seconds in)
    for _ in range(600):
        if psql(f"SELECT count(*) FROM pg_stat_activity WHERE application_name = 'pgpagebench run worker {run.pid}'") != ["0"]:
            break
        time.sleep(0.1)
    time.sleep(1.0)
    a = snapshot(run.pid)
    t0 = time.monotonic()
    time.sleep(span)
    b = snapshot(run.pid)
    t = time.monotonic() - t0
    run.wait()

    def diff(x, y):
        return sum(y[p] - x[p] for p in y if p in x)

    thread, rest = b[0] - a[0], b[1] - a[1]
    sampler, workers = diff(a[2], b[2]), diff(a[3], b[3])
    total = thread + rest + sampler + workers
    print(f"over {t:.1f} s: sampler thread {thread:.3f} s, sampler backend {sampler:.3f} s, "
          f"driver (rest of the process) {rest:.3f} s, worker backends {workers:.3f} s ({len(b[3])} of them)")
    print(f"sampler: {100 * (thread + sampler) / t:.2f}% of one core; "
          f"{100 * (thread + sampler) / total:.2f}% of the CPU time of the run and its backends")


if __name__ == "__main__":
    main()
