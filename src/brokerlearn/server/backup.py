"""Backups of an installation: the embedded SQLite database and the instance folder (secret key,
signing keys), in one .tar.gz that restore checks before it changes anything.

The database is copied with SQLite's online backup API, so a backup taken while the server
writes is a consistent snapshot. With PostgreSQL the archive holds the instance folder only;
the database is backed up with pg_dump (see docs/hosting.md).
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from brokerlearn import __version__
from brokerlearn.errors import UsageError

DB_NAME = "brokerlearn.db"
SKIP = {DB_NAME, f"{DB_NAME}-wal", f"{DB_NAME}-shm", f"{DB_NAME}-journal"}


def _sqlite_path(database_url: str, instance: Path) -> Path | None:
    if not database_url.startswith("sqlite:///"):
        return None
    return Path(database_url.removeprefix("sqlite:///"))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def backup(instance: Path, database_url: str, target: Path) -> dict:
    instance = Path(instance)
    if not instance.is_dir():
        raise UsageError(f"{instance} is not an instance folder")
    database = _sqlite_path(database_url, instance)
    with tempfile.TemporaryDirectory(prefix="brokerlearn-backup-") as scratch:
        staged = Path(scratch) / "instance"
        shutil.copytree(instance, staged, ignore=lambda folder, names: [n for n in names if n in SKIP])
        if database is not None:
            if not database.is_file():
                raise UsageError(f"no database at {database}")
            source = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30)
            copy = sqlite3.connect(staged / DB_NAME)
            with copy:
                source.backup(copy)  # a consistent snapshot, even while the server writes
            source.close()
            copy.close()
        files = sorted(p for p in staged.rglob("*") if p.is_file())
        manifest = {"format": 1, "generator": __version__, "created": datetime.now(timezone.utc).isoformat(),
                    "database": "sqlite" if database is not None else "external (use pg_dump)",
                    "files": {p.relative_to(staged).as_posix(): _sha256(p) for p in files}}
        partial = target.with_name(f".{target.name}.partial")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # it holds the private keys
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as archive:
            data = json.dumps(manifest, indent=1).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
            for path in files:
                archive.add(path, arcname=f"instance/{path.relative_to(staged).as_posix()}")
        os.replace(partial, target)
    return manifest


def restore(archive_path: Path, instance: Path, database_url: str, force: bool = False) -> dict:
    """Check every file against the manifest, then put the instance folder in place."""
    instance = Path(instance)
    database = _sqlite_path(database_url, instance)
    if database is not None and database.exists() and not force:
        raise UsageError(f"{database} exists: stop the server, and restore with --force to replace it")
    with tempfile.TemporaryDirectory(prefix="brokerlearn-restore-", dir=instance.parent if instance.parent.exists()
                                     else None) as scratch:
        root = Path(scratch)
        try:
            with tarfile.open(archive_path, "r:gz") as archive:
                archive.extractall(root, filter="data")  # no absolute paths, links out or devices
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise UsageError(f"{archive_path} is not a readable backup ({exc})") from None
        try:
            manifest = json.loads((root / "manifest.json").read_text())
        except (OSError, ValueError):
            raise UsageError(f"{archive_path} has no manifest: not a brokerlearn backup") from None
        for name, digest in manifest["files"].items():
            path = root / "instance" / name
            if not path.is_file() or _sha256(path) != digest:
                raise UsageError(f"{archive_path} is damaged: {name} does not match its checksum; nothing restored")
        staged = root / "instance"
        if (staged / DB_NAME).exists():
            check = sqlite3.connect(staged / DB_NAME)
            ok = check.execute("PRAGMA integrity_check").fetchone()[0]
            check.close()
            if ok != "ok":
                raise UsageError(f"the database in {archive_path} fails its integrity check: {ok}")
        instance.mkdir(parents=True, exist_ok=True)
        for path in sorted(staged.rglob("*")):
            relative = path.relative_to(staged)
            target = instance / relative
            if path.is_dir():
                target.mkdir(exist_ok=True)
                continue
            if relative.as_posix() == DB_NAME and database is not None:
                target = database
                for stale in (f"{database}-wal", f"{database}-shm"):
                    Path(stale).unlink(missing_ok=True)
            os.replace(path, target)
        keys = instance / "keys"
        if keys.is_dir():
            os.chmod(keys, 0o700)
            for key in keys.glob("*.pem"):
                os.chmod(key, 0o600)
        if (instance / "secret_key").exists():
            os.chmod(instance / "secret_key", 0o600)
    return manifest
