"""A private PostgreSQL server for the tests: its own data folder, 127.0.0.1 and a free port.

Each test gets a fresh database copied from a migrated template, which takes milliseconds.
"""
from __future__ import annotations

import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


def find_bindir() -> Path | None:
    initdb = shutil.which("initdb")
    if initdb:
        return Path(os.path.realpath(initdb)).parent
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PostgresCluster:
    USER = "brokerlearn"

    def __init__(self, bindir: Path, durable: bool = False):
        self.bindir = bindir
        self.durable = durable  # fsync on, as a production server: for benchmarks
        self.root = Path(tempfile.mkdtemp(prefix="brokerlearn-pg-"))
        self.port = _free_port()
        self._names = itertools.count(1)
        # initdb refuses to run as root: run the server as the postgres system user then.
        self._as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self._as:
            shutil.chown(self.root, "postgres")

    def _run(self, *args: str) -> None:
        subprocess.run([*self._as, *args], check=True, capture_output=True, cwd="/")

    def start(self) -> "PostgresCluster":
        data = self.root / "data"
        self._run(str(self.bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", self.USER,
                  "-E", "UTF8", "--no-sync")
        for attempt in range(3):
            try:
                self.start_server()
                return self
            except subprocess.CalledProcessError:
                # The free port was taken between the probe and the start (tests run in
                # parallel, each xdist worker with servers of its own): another one.
                log = (self.root / "log").read_text(errors="replace") if (self.root / "log").exists() else ""
                if attempt == 2 or "could not bind" not in log and "in use" not in log:
                    raise
                self.port = _free_port()
        return self

    def start_server(self) -> None:
        """Start the server on the cluster's data (again, after stop_server: a database outage)."""
        # fsync off: a test database need not survive a power cut, and it is much faster. A
        # benchmark's (durable) syncs as PostgreSQL does by default, so a commit costs what it will.
        options = f"-h 127.0.0.1 -p {self.port} -k {self.root} -c max_connections=200" + ("" if self.durable else " -F")
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.root / "data"), "-l", str(self.root / "log"),
                  "-o", options, "-w", "start")

    def stop_server(self) -> None:
        """Stop the server as an admin would (`pg_ctl -m fast stop`), keeping its data."""
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.root / "data"), "-m", "fast", "-w", "stop")

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{self.USER}@127.0.0.1:{self.port}/{database}"

    def execute(self, sql: str) -> None:
        import psycopg
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user={self.USER} dbname=postgres",
                             autocommit=True) as connection:
            connection.execute(sql)

    def create_database(self, template: str | None = None) -> str:
        name = f"test_{os.getpid()}_{next(self._names)}"
        self.execute(f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else ""))
        return name

    def stop(self) -> None:
        try:
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.root / "data"), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
