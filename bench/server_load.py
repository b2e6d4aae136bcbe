"""Load a served brokerlearn instance with wrk and compare it with two reference endpoints on the
same server settings in the same run. See bench/README.md.

    .venv/bin/python bench/server_load.py [--duration 10] [--connections 64] [--threads 8]
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


def wait_for(url: str, process: subprocess.Popen, timeout: float = 30) -> None:
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


def wrk(url: str, script: str, work: Path, duration: int, connections: int, threads: int, env: dict) -> dict:
    path = work / f"script-{abs(hash(script))}.lua"
    path.write_text(script)
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "--latency",
               "-s", str(path), url]
    output = subprocess.run(command, capture_output=True, text=True, env={**os.environ, **env},
                            timeout=duration + 60).stdout
    line = next((l for l in output.splitlines() if l.startswith("RESULT ")), None)
    if line is None:
        sys.exit(f"wrk gave no result:\n{output}")
    result = json.loads(line[len("RESULT "):])
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def count_rows(db: Path, sql: str) -> int:
    with sqlite3.connect(db) as connection:
        return connection.execute(sql).fetchone()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per scenario (default 10)")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=8, help="waitress threads of both servers")
    parser.add_argument("--only", default="", help="run only the scenarios whose name contains this text")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk")

    work = Path(tempfile.mkdtemp(prefix="brokerlearn-load-"))
    processes = []
    try:
        build = build_course(work)
        port, ref_port = free_port(), free_port()
        processes.append(subprocess.Popen(
            [sys.executable, "-m", "brokerlearn", "serve", str(build), "--port", str(port), "--instance",
             str(work / "instance"), "--threads", str(args.threads)], stderr=subprocess.DEVNULL,
            env={k: v for k, v in os.environ.items() if k != "DATABASE_URL"}))
        processes.append(subprocess.Popen(
            [sys.executable, str(BENCH / "reference_app.py"), str(ref_port), str(work / "reference.db"),
             str(args.threads)], stderr=subprocess.DEVNULL))
        base, ref = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{ref_port}"
        wait_for(base + "/api/session", processes[0])
        wait_for(ref + "/const", processes[1])

        accounts = [sign_up(base, f"load{i}@agency.org") for i in range(8)]
        auth = {"BL_COOKIES": "|".join(a[0] for a in accounts), "BL_CSRF": "|".join(a[1] for a in accounts)}
        run_id = str(int(time.time()))
        c, d = args.connections, args.duration
        scenarios = [
            ("static lesson page", base + LESSON, LUA_GET, {}, c, 2),
            ("session (signed in, reads the account)", base + "/api/session", LUA_GET, auth, c, 2),
            ("reference: constant", ref + "/const", LUA_GET, {}, c, 2),
            ("progress API", base, LUA_EVENTS, {**auth, "BL_PATH": "/api/progress", "BL_RUN": run_id}, c, 2),
            ("reference: SQLite insert", ref, LUA_EVENTS, {"BL_PATH": "/insert", "BL_RUN": run_id}, c, 2),
            # One connection per wrk thread, one account each: start and submit alternate strictly.
            ("graded attempt (start + submit)", base, LUA_GRADED,
             {**auth, "BL_PATH": QUIZ, "BL_ANSWERS": right_answers(build)}, 8, 8),
        ]
        for url in (base + LESSON, ref + "/const"):  # warm up both servers
            wrk(url, LUA_GET, work, 2, c, 2, {})
        results = {}
        scenarios = [s for s in scenarios if args.only in s[0]]
        for name, url, script, env, conns, threads in scenarios:
            results[name] = {**wrk(url, script, work, d, conns, threads, env), "connections": conns}
            print(f"{name:34} {results[name]['rps']:8.0f} req/s  p50 {results[name]['p50_us'] / 1000:6.1f} ms  "
                  f"p99 {results[name]['p99_us'] / 1000:6.1f} ms  errors {results[name]['errors']}", flush=True)

        stored = count_rows(work / "instance" / "brokerlearn.db",
                            f"SELECT count(*) FROM progress_events WHERE event_id LIKE 'b{run_id}-%'")
        stored_ref = count_rows(work / "reference.db", "SELECT count(*) FROM events")
        graded = count_rows(work / "instance" / "brokerlearn.db",
                            "SELECT count(*) FROM quiz_attempts WHERE status = 'submitted'")
        if not {"progress API", "reference: SQLite insert", "static lesson page"} <= set(results):
            return
        progress, insert = results["progress API"], results["reference: SQLite insert"]
        static, constant = results["static lesson page"], results["reference: constant"]
        summary = {
            "progress / bare insert": progress["rps"] / insert["rps"],
            "static page / constant": static["rps"] / constant["rps"],
            "progress p99 ms": progress["p99_us"] / 1000,
            "progress acknowledged": progress["acked"], "progress stored": stored,
            "progress lost": max(0, progress["acked"] - stored),
            "insert acknowledged": insert["acked"], "insert stored": stored_ref,
            "graded acknowledged": results["graded attempt (start + submit)"]["acked"], "graded stored": graded,
        }
        print(json.dumps(summary, indent=2))
        out = BENCH / "out"
        out.mkdir(exist_ok=True)
        (out / "server_load.json").write_text(json.dumps({"results": results, "summary": summary,
                                                          "args": vars(args)}, indent=2))
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=20)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
