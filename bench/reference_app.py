"""The two reference endpoints of the server benchmark, served with the same settings as
`brokerlearn serve` (gunicorn's options from brokerlearn.server.serve, or waitress): a Flask
endpoint that returns a constant, and a Flask endpoint that inserts one row into SQLite with the
standard library (no ORM, no session, no validation) and the same durability as brokerlearn's
database (WAL, synchronous=FULL); or, when DATABASE is a postgresql:// URL, into PostgreSQL with
psycopg 3 (the project's driver), one autocommit connection per thread, synchronous_commit on as
brokerlearn's.

    python bench/reference_app.py PORT DATABASE THREADS [--server gunicorn|waitress] [--workers N]
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
DATABASE = ""  # an SQLite file, or a postgresql:// URL
INSERT = ""  # the insert statement in the database's placeholder style


def on_postgres(database: str) -> bool:
    return database.startswith("postgresql://")


def _connect_sqlite() -> sqlite3.Connection:
    db = sqlite3.connect(DATABASE, timeout=30, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("PRAGMA busy_timeout=30000")
    return db


def _connect_postgres():
    import psycopg
    db = psycopg.connect(DATABASE, autocommit=True)  # each INSERT its own transaction
    db.execute("SET synchronous_commit = on")  # the default, said: the commit waits for the WAL's fsync
    return db


def _connection():
    """This thread's connection (each gunicorn thread has its own: no pool to check out from)."""
    if not hasattr(_local, "db"):
        _local.db = _connect_postgres() if on_postgres(DATABASE) else _connect_sqlite()
    return _local.db


def create_table(database: str) -> None:
    if on_postgres(database):
        import psycopg
        with psycopg.connect(database, autocommit=True) as setup:
            setup.execute("CREATE TABLE IF NOT EXISTS events (id bigserial PRIMARY KEY, body bytea)")
        return
    setup = sqlite3.connect(database)
    setup.execute("PRAGMA journal_mode=WAL")
    setup.execute("CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, body BLOB)")
    setup.close()


@app.get("/const")
def constant():
    return "ok"


@app.post("/insert")
def insert():
    body = request.get_data()
    _connection().execute(INSERT, (body,))
    return "ok"


def main() -> None:
    global DATABASE, INSERT
    parser = argparse.ArgumentParser()
    parser.add_argument("port", type=int)
    parser.add_argument("database", help="an SQLite file, or a postgresql:// URL")
    parser.add_argument("threads", type=int)
    parser.add_argument("--server", choices=["gunicorn", "waitress"], default="gunicorn")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--worker-class", default="gthread")
    args = parser.parse_args()
    DATABASE = args.database
    INSERT = f"INSERT INTO events (body) VALUES ({'%s' if on_postgres(DATABASE) else '?'})"
    create_table(DATABASE)
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
