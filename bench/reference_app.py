"""The two reference endpoints of the server benchmark, served by waitress with the same settings
as `brokerlearn serve`: a Flask endpoint that returns a constant, and a Flask endpoint that inserts
one row into SQLite with the standard library (no ORM, no session, no validation) and the same
durability as brokerlearn's database (WAL, synchronous=FULL).

    python bench/reference_app.py PORT DB_PATH THREADS
"""
from __future__ import annotations

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
    port, DB_PATH, threads = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    setup = sqlite3.connect(DB_PATH)
    setup.execute("PRAGMA journal_mode=WAL")
    setup.execute("CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, body BLOB)")
    setup.close()
    import waitress
    waitress.serve(app, host="127.0.0.1", port=port, threads=threads, ident="reference")


if __name__ == "__main__":
    main()
