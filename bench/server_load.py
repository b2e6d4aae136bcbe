"""Load a served brokerlearn instance with wrk and compare it with two reference endpoints on the
same server settings in the same run. See bench/README.md.

    .venv/bin/python bench/server_load.py [--duration 10] [--connections 64] [--server gunicorn]
        [--workers 2] [--threads 4]
    .venv/bin/python bench/server_load.py --sweep gthread:1,gthread:4,sync:1,waitress:8
        (the reference endpoints alone, under each server setting: which is best here)
    .venv/bin/python bench/server_load.py --database postgres
        (both on a throwaway PostgreSQL cluster, durable: fsync and synchronous_commit on)
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
PASSWORD = "benchmark password"
LESSON = "/example/finding-partners/cooperation-profiles/"
QUIZ = "/api/quizzes/example/m2-assessment"

# wrk scripts. Each wrk thread gets its own account (cookie and CSRF token), passed in the
# environment; `done` prints one JSON line with the figures.
LUA_COMMON = r"""
local function split(s, sep) local t = {} for p in string.gmatch(s or "", "([^" .. sep .. "]+)") do table.insert(t, p) end return t end
local threads = {}
local count = 0
function setup(thread) count = count + 1; thread:set("tid", count); table.insert(threads, thread) end
acked = 0
function init(args)
  local cookies, tokens = split(os.getenv("BL_COOKIES"), "|"), split(os.getenv("BL_CSRF"), "|")
  if #cookies > 0 then
    local i = ((tid - 1) % #cookies) + 1
    wrk.headers["Cookie"] = cookies[i]
    wrk.headers["X-CSRFToken"] = tokens[i]
  end
  wrk.headers["Content-Type"] = "application/json"
end
function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do total = total + t:get("acked") end
  io.write("RESULT " .. string.format('{"requests": %d, "duration_us": %d, "acked": %d, "p50_us": %d, "p99_us": %d, '
    .. '"errors": %d}', summary.requests, summary.duration, total, latency:percentile(50), latency:percentile(99),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout) .. "\n")
end
"""
LUA_GET = LUA_COMMON + r"""
function response(status, headers, body) if status == 200 then acked = acked + 1 end end
"""
LUA_EVENTS = LUA_COMMON + r"""
local n = 0
local run = os.getenv("BL_RUN")
function request()
  n = n + 1
  local body = string.format('{"events": [{"event_id": "b%s-%d-%d", "course": "example", "kind": "lesson_viewed", '
    .. '"item": "finding-partners/cooperation-profiles", "value": 1}]}', run, tid, n)
  return wrk.format("POST", os.getenv("BL_PATH"), nil, body)
end
function response(status, headers, body) if status == 200 then acked = acked + 1 end end
"""
LUA_GRADED = LUA_COMMON + r"""
local attempt = nil
function request()
  if attempt then
    return wrk.format("POST", os.getenv("BL_PATH") .. "/attempts/" .. attempt, nil, os.getenv("BL_ANSWERS"))
  end
  return wrk.format("POST", os.getenv("BL_PATH") .. "/attempts", nil, "{}")
end
function response(status, headers, body)
  if status == 201 then attempt = string.match(body, '"id":%s*(%d+)')
  elseif status == 200 then attempt = nil; acked = acked + 1
  else attempt = nil end
end
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"the server for {url} exited with code {process.returncode}")
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"no answer from {url} within {timeout} s")


def build_course(work: Path) -> Path:
    """The example course, with unlimited attempts so the graded scenario can run for its duration."""
    course = work / "courses" / "example"
    shutil.copytree(REPO / "courses" / "example", course)
    quiz = course / "modules" / "02-working-together" / "assessment.yml"
    quiz.write_text(quiz.read_text().replace("max_attempts: 3", "max_attempts: 0"))
    subprocess.run([sys.executable, "-m", "brokerlearn", "build", str(course.parent), "-o", str(work / "build"),
                    "--no-progress"], check=True)
    return work / "build"


def sign_up(base: str, email: str) -> tuple[str, str]:
    """Register an account as a browser would; return its cookie header and CSRF token."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = []  # no User-Agent, like wrk: a session stays with the client it was made for
    token = json.loads(opener.open(base + "/api/session").read())["csrf_token"]
    opener.open(base + "/account/register", urlencode({"email": email, "password": PASSWORD,
                                                       "csrf_token": token}).encode()).read()
    token = json.loads(opener.open(base + "/api/session").read())["csrf_token"]
    return "; ".join(f"{c.name}={c.value}" for c in jar), token


def right_answers(build: Path) -> str:
    manifest = json.loads((build / "server" / "example.json").read_text())
    questions = {q["id"]: q for q in manifest["quizzes"]["m2-assessment"]["questions"]}
    return json.dumps({"answers": {
        "q1": True, "q2": [o["id"] for o in questions["q2"]["options"] if o["correct"]], "q3": "25",
        "q4": "capacity", "q5": [i["id"] for i in questions["q5"]["items"]],
        "q6": {p["left_id"]: p["right_id"] for p in questions["q6"]["pairs"]}, "q7": "A date for the next step."}})


def wrk(url: str, script: str, work: Path, duration: int, connections: int, threads: int, env: dict,
        during=None) -> dict:
    """wrk's figures; DURING(), if given, is called once while wrk runs, and its answer kept."""
    path = work / f"script-{abs(hash(script))}.lua"
    path.write_text(script)
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "--latency",
               "-s", str(path), url]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                               env={**os.environ, **env})
    seen = None
    if during is not None:
        time.sleep(duration / 2)
        seen = during()
    output = process.communicate(timeout=duration + 60)[0]
    line = next((l for l in output.splitlines() if l.startswith("RESULT ")), None)
    if line is None:
        sys.exit(f"wrk gave no result:\n{output}")
    result = json.loads(line[len("RESULT "):])
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    if seen is not None:
        result["seen"] = seen
    return result


def connections_per_worker(server_pid: int, port: int) -> list[int] | None:
    """How many established connections to PORT each worker process of the server holds, from
    Linux's /proc (None elsewhere): whether the load is spread over the workers."""
    try:
        established = set()
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].split(":")[1], 16) == port and fields[3] == "01":  # 01: ESTABLISHED
                established.add(fields[9])  # the socket's inode
        workers = Path(f"/proc/{server_pid}/task/{server_pid}/children").read_text().split()
        counts = []
        for worker in workers:
            links = [os.readlink(fd) for fd in Path(f"/proc/{worker}/fd").iterdir()]
            counts.append(len({link[len("socket:["):-1] for link in links if link.startswith("socket:[")} & established))
        return sorted(counts, reverse=True)
    except OSError:
        return None


def cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) used so far by a server's process and its worker processes
    (Linux /proc; 0.0 elsewhere). The machine's other users change it much less than wall time."""
    total, tick = 0.0, os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    for entry in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = entry.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(entry.parent.name) == pid or int(fields[1]) == pid:  # fields[1]: the parent's pid
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


class SqliteDatabases:
    """brokerlearn's database in its instance folder (as `serve` makes it) and the reference's file."""
    label = "SQLite"

    def __init__(self, work: Path):
        self.work = work
        self.server_url = None  # `serve` uses its instance's file
        self.server_file = work / "instance" / "brokerlearn.db"

    def reference(self, port: int) -> str:
        return str(self.work / f"reference-{port}.db")

    def count_server(self, sql: str) -> int:
        return _count_sqlite(self.server_file, sql)

    def count_reference(self, reference: str, sql: str) -> int:
        return _count_sqlite(Path(reference), sql)

    def close(self) -> None:
        pass


def _count_sqlite(db: Path, sql: str) -> int:
    with sqlite3.connect(db) as connection:
        return connection.execute(sql).fetchone()[0]


class PostgresDatabases:
    """A throwaway PostgreSQL cluster, durable as a production one (fsync on; synchronous_commit
    on, the default), with a migrated database for brokerlearn and one per reference app."""
    label = "psycopg"

    def __init__(self, work: Path):
        sys.path.insert(0, str(REPO / "tests"))
        from pgcluster import PostgresCluster, find_bindir
        from brokerlearn.server.db import upgrade
        bindir = find_bindir()
        if bindir is None:
            sys.exit("PostgreSQL is not installed (scripts/setup --test installs it)")
        self.cluster = PostgresCluster(bindir, durable=True).start()
        self.server_url = self.cluster.url(self.cluster.create_database())
        upgrade(self.server_url)  # `brokerlearn db upgrade`

    def reference(self, port: int) -> str:
        return _libpq_url(self.cluster.url(self.cluster.create_database()))

    def count_server(self, sql: str) -> int:
        return _count_postgres(_libpq_url(self.server_url), sql)

    def count_reference(self, reference: str, sql: str) -> int:
        return _count_postgres(reference, sql)

    def close(self) -> None:
        self.cluster.stop()


def _libpq_url(sqlalchemy_url: str) -> str:
    """The URL psycopg itself takes (SQLAlchemy's names the driver in the scheme)."""
    return sqlalchemy_url.replace("postgresql+psycopg://", "postgresql://", 1)


def _count_postgres(url: str, sql: str) -> int:
    import psycopg
    with psycopg.connect(url) as connection:
        return connection.execute(sql).fetchone()[0]


DATABASES = {"sqlite": SqliteDatabases, "postgres": PostgresDatabases}


def start_reference(database: str, port: int, server: str, workers: int | None, threads: int,
                    worker_class: str = "gthread") -> subprocess.Popen:
    command = [sys.executable, str(BENCH / "reference_app.py"), str(port), database,
               str(threads), "--server", server, "--worker-class", worker_class]
    if workers:
        command += ["--workers", str(workers)]
    return subprocess.Popen(command, stderr=subprocess.DEVNULL)


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def combined(parts: list[dict]) -> dict:
    """Slices of one scenario as one: summed counts; the slowest slice's percentiles (an upper bound)."""
    total = {key: sum(part[key] for part in parts) for key in ("requests", "duration_us", "acked", "errors")}
    total["rps"] = total["requests"] / (total["duration_us"] / 1e6)
    total["p50_us"] = sorted(part["p50_us"] for part in parts)[len(parts) // 2]
    total["p99_us"] = max(part["p99_us"] for part in parts)
    total["p99_us_median_slice"] = sorted(part["p99_us"] for part in parts)[len(parts) // 2]
    total["connections per worker"] = [part.get("seen") for part in parts]  # in each slice, halfway
    return total


def report(name: str, result: dict) -> None:
    cpu = f"  CPU {result['cpu_ms_per_request']:5.2f} ms/req" if "cpu_ms_per_request" in result else ""
    spread = result.get("connections per worker")
    spread = f"  per worker {'/'.join(map(str, spread[0]))}" if spread and spread[0] else ""
    print(f"{name:40} {result['rps']:8.0f} req/s  p50 {result['p50_us'] / 1000:6.1f} ms  "
          f"p99 {result['p99_us'] / 1000:6.1f} ms  errors {result['errors']}{cpu}{spread}", flush=True)


def sweep(args, work: Path) -> None:
    """The bare endpoints under each server setting, in turn, in one run."""
    results = {}
    for setting in args.sweep.split(","):
        kind, _, threads = setting.partition(":")
        server, worker_class = ("waitress", "gthread") if kind == "waitress" else ("gunicorn", kind)
        port = free_port()
        process = start_reference(str(work / f"reference-{port}.db"), port, server, args.workers,
                                  int(threads or 1), worker_class)
        try:
            ref = f"http://127.0.0.1:{port}"
            wait_for(ref + "/const", process)
            wrk(ref + "/const", LUA_GET, work, 2, args.connections, 2, {})  # warm up
            for name, url, script, env in (("constant", ref + "/const", LUA_GET, {}),
                                           ("insert", ref, LUA_EVENTS, {"BL_PATH": "/insert", "BL_RUN": "s"})):
                result = wrk(url, script, work, args.duration, args.connections, 2, env)
                results[f"{setting} {name}"] = result
                report(f"{setting} {name}", result)
        finally:
            stop(process)
    out = BENCH / "out"
    out.mkdir(exist_ok=True)
    (out / "server_sweep.json").write_text(json.dumps({"results": results, "args": vars(args),
                                                       "load": os.getloadavg()}, indent=2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per scenario (default 10)")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=1, help="interleaved slices of each scenario (default 1)")
    parser.add_argument("--server", choices=["gunicorn", "waitress"], default="gunicorn",
                        help="the WSGI server of both (default gunicorn, as brokerlearn serve on Linux)")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: one per core)")
    parser.add_argument("--threads", type=int, default=None,
                        help="threads per process of both servers (default: brokerlearn serve's)")
    parser.add_argument("--ref-worker-class", default="gthread",
                        help="gunicorn worker class of the reference endpoints (gthread, as brokerlearn; or sync)")
    parser.add_argument("--no-request-log", dest="request_log", action="store_false",
                        help="serve with BROKERLEARN_REQUEST_LOG=0 (default: the log on, as installed)")
    parser.add_argument("--sweep", default="", help="only the reference endpoints, under each KIND:THREADS given")
    parser.add_argument("--only", default="", help="run only the scenarios whose name contains this text")
    parser.add_argument("--database", choices=sorted(DATABASES), default="sqlite",
                        help="of brokerlearn and of the reference insert (default sqlite, as installed)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk")
    sys.path.insert(0, str(REPO / "src"))
    from brokerlearn.server.serve import GUNICORN_THREADS
    threads = args.threads or (GUNICORN_THREADS if args.server == "gunicorn" else 8)

    work = Path(tempfile.mkdtemp(prefix="brokerlearn-load-"))
    processes, databases = [], None
    try:
        if args.sweep:
            sweep(args, work)
            return
        build = build_course(work)
        databases = DATABASES[args.database](work)
        port, ref_port = free_port(), free_port()
        reference = databases.reference(ref_port)
        insert_name = f"reference: {databases.label} insert"
        command = [sys.executable, "-m", "brokerlearn", "serve", str(build), "--port", str(port), "--instance",
                   str(work / "instance"), "--server", args.server, "--threads", str(threads)]
        if args.workers:
            command += ["--workers", str(args.workers)]
        processes.append(subprocess.Popen(
            command, stderr=subprocess.DEVNULL,
            env={**{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
                 **({"DATABASE_URL": databases.server_url} if databases.server_url else {}),
                 "BROKERLEARN_REQUEST_LOG": "1" if args.request_log else "0"}))
        processes.append(start_reference(reference, ref_port, args.server, args.workers, threads,
                                         args.ref_worker_class))
        base, ref = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{ref_port}"
        wait_for(base + "/api/session", processes[0])
        wait_for(ref + "/const", processes[1])

        accounts = [sign_up(base, f"load{i}@agency.org") for i in range(8)]
        auth = {"BL_COOKIES": "|".join(a[0] for a in accounts), "BL_CSRF": "|".join(a[1] for a in accounts)}
        run_id = str(int(time.time()))
        c, d = args.connections, args.duration
        scenarios = [
            ("static lesson page", base + LESSON, LUA_GET, {}, c, 2),
            ("session (signed in)", base + "/api/session", LUA_GET, auth, c, 2),
            ("reference: constant", ref + "/const", LUA_GET, {}, c, 2),
            ("progress API", base, LUA_EVENTS, {**auth, "BL_PATH": "/api/progress", "BL_RUN": run_id}, c, 2),
            (insert_name, ref, LUA_EVENTS, {"BL_PATH": "/insert", "BL_RUN": run_id}, c, 2),
            # One connection per wrk thread, one account each: start and submit alternate strictly.
            ("graded attempt (start + submit)", base, LUA_GRADED,
             {**auth, "BL_PATH": QUIZ, "BL_ANSWERS": right_answers(build)}, 8, 8),
        ]
        for url in (base + LESSON, ref + "/const"):  # warm up both servers
            wrk(url, LUA_GET, work, 2, c, 2, {})
        results = {}
        scenarios = [s for s in scenarios if args.only in s[0]]
        load_before = os.getloadavg()
        # The machine is shared: each scenario runs in --rounds slices, interleaved with the
        # others, so that a busy minute of the neighbours weighs on all of them alike.
        slices = {name: [] for name, *_ in scenarios}
        cpu = {name: 0.0 for name, *_ in scenarios}
        for number in range(args.rounds):
            for name, url, script, env, conns, wrk_threads in scenarios:
                env = {**env, "BL_RUN": f"{run_id}r{number}"} if "BL_RUN" in env else env  # new event ids
                server = processes[1] if url.startswith(ref) else processes[0]
                before = cpu_seconds(server.pid)
                port_of = int(url.split(":")[2].split("/")[0])
                slices[name].append(wrk(url, script, work, max(1, d // args.rounds), conns, wrk_threads, env,
                                        during=lambda: connections_per_worker(server.pid, port_of)))
                cpu[name] += cpu_seconds(server.pid) - before
        for name, *_rest in scenarios:
            results[name] = {**combined(slices[name]), "connections": _rest[-2], "cpu_s": round(cpu[name], 2)}
            results[name]["cpu_ms_per_request"] = round(1000 * cpu[name] / max(1, results[name]["requests"]), 3)
            report(name, results[name])
        load_after = os.getloadavg()
        time.sleep(1)  # the last responses' rows are committed before they are counted

        stored = databases.count_server(f"SELECT count(*) FROM progress_events WHERE event_id LIKE 'b{run_id}r%'")
        stored_ref = databases.count_reference(reference, "SELECT count(*) FROM events")
        graded = databases.count_server("SELECT count(*) FROM quiz_attempts WHERE status = 'submitted'")
        summary = {"server": args.server, "database": args.database,
                   "workers": args.workers or os.cpu_count(), "threads": threads, "request log": args.request_log,
                   "load average before, after (1 min)": [round(load_before[0], 1), round(load_after[0], 1)]}
        if {"progress API", insert_name} <= set(results):
            progress, insert = results["progress API"], results[insert_name]
            summary.update({
                "progress / bare insert": round(progress["rps"] / insert["rps"], 3),
                "progress / bare insert, per CPU second": round(insert["cpu_ms_per_request"]
                                                                / max(progress["cpu_ms_per_request"], 1e-9), 3),
                "progress p99 ms": progress["p99_us"] / 1000,
                "progress acknowledged": progress["acked"], "progress stored": stored,
                "progress lost": max(0, progress["acked"] - stored),
                "insert acknowledged": insert["acked"], "insert stored": stored_ref,
                "insert lost": max(0, insert["acked"] - stored_ref)})
        if "reference: constant" in results:
            constant = results["reference: constant"]
            for name, key in (("static lesson page", "static page / constant"),
                              ("session (signed in)", "session / constant")):
                if name in results:
                    summary[key] = round(results[name]["rps"] / constant["rps"], 3)
                    summary[key + ", per CPU second"] = round(constant["cpu_ms_per_request"]
                                                              / max(results[name]["cpu_ms_per_request"], 1e-9), 3)
        if "graded attempt (start + submit)" in results:
            summary.update({"graded p99 ms": results["graded attempt (start + submit)"]["p99_us"] / 1000,
                            "graded CPU ms per request": results["graded attempt (start + submit)"]["cpu_ms_per_request"],
                            "graded acknowledged": results["graded attempt (start + submit)"]["acked"],
                            "graded stored": graded})
        print(json.dumps(summary, indent=2))
        out = BENCH / "out"
        out.mkdir(exist_ok=True)
        name = "server_load.json" if args.database == "sqlite" else f"server_load-{args.database}.json"
        (out / name).write_text(json.dumps({"results": results, "summary": summary,
                                                          "args": vars(args)}, indent=2))
    finally:
        for process in processes:
            stop(process)
        if databases is not None:
            databases.close()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
