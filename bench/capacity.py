"""Capacity in learners: how many simulated learners (bench/learners.py, Locust) one machine
holds with p99 under 200 ms and no errors. See bench/README.md.

    .venv/bin/python bench/capacity.py --users 500,1000,2000,3000 [--spawn-rate 25] [--hold 120]
        [--server gunicorn] [--workers N] [--threads N] [--database sqlite|postgres]

For each number of learners in turn, on one server started once: Locust signs them in at
--spawn-rate per second; --settle seconds after the last one its statistics are reset, and the
figures are of the --hold seconds that follow (the steady part), with the CPU seconds the
server's processes used meanwhile (learners per core at full load: an estimate that the
neighbours' load on a shared machine does not change much, unlike the p99). The accounts are made
directly in the database with a cheap password hash (pbkdf2, 1,000 rounds): signing in is once
per learner per session, and 3,000 scrypt checks would measure the ramp, not the learners.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
PASSWORD = "benchmark password"
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(REPO / "src"))

from server_load import build_course, free_port, stop, wait_for  # noqa: E402


def make_accounts(url: str, count: int) -> None:
    from sqlalchemy import create_engine, insert
    from werkzeug.security import generate_password_hash

    from brokerlearn.server.models import User, utcnow
    password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(insert(User), [
            {"email": f"learner{n}@bench.invalid", "name": f"Learner {n}", "password_hash": password_hash,
             "role": "learner", "session_version": 0, "created_at": utcnow()} for n in range(count)])
    engine.dispose()


def postgres_url(work: Path):
    sys.path.insert(0, str(REPO / "tests"))
    from pgcluster import PostgresCluster, find_bindir
    bindir = find_bindir()
    if bindir is None:
        sys.exit("PostgreSQL is not installed")
    cluster = PostgresCluster(bindir, durable=True).start()  # fsync on: a commit costs what it will
    return cluster, cluster.url(cluster.create_database())


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:  # "N/A": no request of that name in the steady part
        return 0.0


def cpu_seconds(pid: int) -> float:
    """User and system CPU seconds of the server: the process and all its workers."""
    import psutil
    process = psutil.Process(pid)
    total = 0.0
    for member in [process, *process.children(recursive=True)]:
        try:
            times = member.cpu_times()
            total += times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return total


def memory_mb(pid: int) -> dict:
    """Resident, proportional (shared pages split between the processes that share them) and own
    (unique) memory of the server's master and each worker, in MB (psutil, Linux /proc smaps)."""
    import psutil
    master = psutil.Process(pid)

    def figures(process) -> dict:
        info = process.memory_full_info()
        return {"rss": round(info.rss / 2**20), "pss": round(getattr(info, "pss", 0) / 2**20),
                "uss": round(info.uss / 2**20)}
    return {"master": figures(master), "workers": [figures(child) for child in master.children(recursive=True)]}


def locust(base: str, build: Path, users: int, spawn_rate: float, settle: int, hold: int, out: Path,
           server_pid: int) -> dict:
    ramp = users / spawn_rate
    prefix = out / f"learners-{users}"
    command = [sys.executable, "-m", "locust", "-f", str(BENCH / "learners.py"), "--headless", "--only-summary",
               "-u", str(users), "-r", str(spawn_rate), "-t", f"{int(ramp + settle + hold)}s", "--host", base,
               "--csv", str(prefix), "--stop-timeout", "5", "--loglevel", "WARNING"]
    env = {**os.environ, "BL_BUILD": str(build), "BL_PASSWORD": PASSWORD, "BL_SETTLE": str(settle)}
    started = time.monotonic()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(ramp + settle)
        cpu_start, requests_start = cpu_seconds(server_pid), time.monotonic()
        time.sleep(max(0.0, hold - 2))
        cpu_used, steady = cpu_seconds(server_pid) - cpu_start, time.monotonic() - requests_start
        memory = memory_mb(server_pid)
        _, stderr = process.communicate(timeout=300)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    load = os.getloadavg()
    rows = list(csv.DictReader(open(f"{prefix}_stats.csv")))
    total = next(row for row in rows if row["Name"] == "Aggregated")
    failures = sum(int(row["Failure Count"]) for row in rows)
    result = {"users": users, "requests": int(total["Request Count"]), "failures": failures,
              "rps": round(float(total["Requests/s"]), 1), "p50_ms": _number(total["50%"]),
              "p99_ms": _number(total["99%"]), "max_ms": _number(total["Max Response Time"]),
              "server_cpu_share": round(cpu_used / steady, 3),  # cores busy with the server, steady part
              # learners one core would hold at 100% busy, from what these cost: an estimate, not a
              # measured p99
              "learners_per_core_cpu": round(users * steady / cpu_used) if cpu_used else None,
              "load_average": [round(x, 1) for x in load], "seconds": round(time.monotonic() - started),
              "memory_mb": memory,
              "by_name": {row["Name"]: {"count": int(row["Request Count"]), "p99_ms": _number(row["99%"])}
                          for row in rows if row["Name"] != "Aggregated"}}
    if process.returncode not in (0, 1):
        result["locust_error"] = stderr[-2000:]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", default="500,1000,2000,3000")
    parser.add_argument("--spawn-rate", type=float, default=25)
    parser.add_argument("--settle", type=int, default=30, help="seconds after the last sign-in before measuring")
    parser.add_argument("--hold", type=int, default=90, help="seconds measured")
    parser.add_argument("--server", choices=["gunicorn", "waitress"], default="gunicorn")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    levels = [int(n) for n in args.users.split(",")]
    import signal
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # stopped: the server is stopped too

    work = Path(tempfile.mkdtemp(prefix="brokerlearn-capacity-"))
    out = BENCH / "out"
    out.mkdir(exist_ok=True)
    cluster, server = None, None
    try:
        build = build_course(work)
        from brokerlearn.server.db import upgrade
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "BROKERLEARN_SETTINGS")}
        # Every simulated learner signs in from 127.0.0.1: the limit per address would refuse them.
        env["BROKERLEARN_LOGIN_ATTEMPTS"] = "1000000"
        if args.database == "postgres":
            cluster, url = postgres_url(work)
            env["DATABASE_URL"] = url
        else:
            (work / "instance").mkdir(mode=0o700)
            url = f"sqlite:///{work / 'instance' / 'brokerlearn.db'}"
        upgrade(url)
        make_accounts(url, max(levels))
        port = free_port()
        command = [sys.executable, "-m", "brokerlearn", "serve", str(build), "--port", str(port),
                   "--instance", str(work / "instance"), "--server", args.server]
        if args.workers:
            command += ["--workers", str(args.workers)]
        if args.threads:
            command += ["--threads", str(args.threads)]
        server = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        wait_for(base + "/api/health", server, timeout=60)
        results = []
        for users in levels:
            result = locust(base, build, users, args.spawn_rate, args.settle, args.hold, out, server.pid)
            result["holds"] = result["failures"] == 0 and result["p99_ms"] < 200
            results.append(result)
            print(json.dumps({k: v for k, v in result.items() if k != "by_name"}), flush=True)
        held = [r["users"] for r in results if r["holds"]]
        summary = {"server": args.server, "database": args.database, "largest held": max(held, default=None),
                   "results": results, "args": vars(args)}
        (out / f"capacity-{args.database}.json").write_text(json.dumps(summary, indent=2))
        print(f"largest number of learners held (p99 < 200 ms, no errors): {summary['largest held']}")
    finally:
        if server is not None:
            stop(server)
        if cluster is not None:
            cluster.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
