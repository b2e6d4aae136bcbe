"""The two reference endpoints of the server benchmark, served with the same settings as
`brokerlearn serve` (gunicorn's options from brokerlearn.server.serve, or waitress): a Flask
endpoint that returns a constant, and a Flask endpoint that inserts one row into SQLite with the
standard library (no ORM, no session, no validation) and the same durability as brokerlearn's
database (WAL, synchronous=FULL).

    python bench/reference_app.py PORT DB_PATH THREADS [--server gunicorn|waitress] [--workers N]
        [--worker-class gthread|sync]
"""
from __future__ import annotations

import argparse
import sqlite3
import sys
import threading

from flask import Flask, request

app = Flask(__name__)
_local = threading.local()
DB_PATH = ""


def _connection() -> sqlite3.Connection:
    if not hasattr(_local, "db"):
        db = sqlite3.connect(DB_PATH, timeout=30, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        db.execute("PRAGMA busy_timeout=30000")
        _local.db = db
    return _local.db


@app.get("/const")
def constant():
    return "ok"


@app.post("/insert")
def insert():
    body = request.get_data()
    _connection().execute("INSERT INTO events (body) VALUES (?)", (body,))
    return "ok"


def main() -> None:
    global DB_PATH
    parser = argparse.ArgumentParser()
    parser.add_argument("port", type=int)
    parser.add_argument("db_path")
    parser.add_argument("threads", type=int)
    parser.add_argument("--server", choices=["gunicorn", "waitress"], default="gunicorn")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--worker-class", default="gthread")
    args = parser.parse_args()
    DB_PATH = args.db_path
    setup = sqlite3.connect(DB_PATH)
    setup.execute("PRAGMA journal_mode=WAL")
    setup.execute("CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, body BLOB)")
    setup.close()
    sys.setswitchinterval(0.0005)  # as brokerlearn serve
    if args.server == "waitress":
        import waitress
        waitress.serve(app, host="127.0.0.1", port=args.port, threads=args.threads, ident="reference")
        return
    from brokerlearn.server.serve import default_workers, run_gunicorn
    run_gunicorn(app, "127.0.0.1", args.port, args.workers or default_workers(), args.threads,
                 options={"worker_class": args.worker_class})


if __name__ == "__main__":
    main()
