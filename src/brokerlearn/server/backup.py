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
from brokerlearn.fs import AtomicFile

DB_NAME = "brokerlearn.db"
SKIP = {DB_NAME, f"{DB_NAME}-wal", f"{DB_NAME}-shm", f"{DB_NAME}-journal", f"{DB_NAME}-lock"}  # -lock: server/sqlite.py


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
    _check_target(Path(target))
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
        try:
            writer = AtomicFile(target, mode=0o600)  # it holds the private keys
        except OSError as exc:
            raise UsageError(f"cannot write the backup into {target.parent}: {exc.strerror}") from None
        with writer as raw, tarfile.open(fileobj=raw, mode="w:gz") as archive:
            data = json.dumps(manifest, indent=1).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
            for path in files:
                archive.add(path, arcname=f"instance/{path.relative_to(staged).as_posix()}")
    return manifest


def _check_target(target: Path) -> None:
    """The archive's folder must exist: it is not made here, so that a mistyped path (or a
    backup disk that is not mounted) fails the cron job instead of filling another folder."""
    folder = target.parent
    if target.is_dir():
        raise UsageError(f"{target} is a folder: give the archive's file name, e.g. {target / 'brokerlearn.tar.gz'}")
    if not folder.is_dir():
        raise UsageError(f"the folder {folder} does not exist: make it first, readable by its owner only "
                         f"(install -d -m 700 {folder})")


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
                manifest = _read_manifest(archive, archive_path)
                _check_members(archive, manifest, archive_path)
                _extract_checked(archive, root)
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise UsageError(f"{archive_path} is not a readable backup ({exc})") from None
        for name, digest in manifest["files"].items():
            path = root / "instance" / name
            if path.is_symlink() or not path.is_file() or _sha256(path) != digest:
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
        if keys.is_dir() and not keys.is_symlink():
            _chmod(keys, 0o700)
            for key in keys.glob("*.pem"):
                _chmod(key, 0o600)
        if (instance / "secret_key").exists():
            _chmod(instance / "secret_key", 0o600)
    return manifest


def _extract_checked(archive: tarfile.TarFile, root: Path) -> None:
    """Write the members _check_members let through (plain relative files and folders only) by
    hand: tarfile's extraction filters are missing from Debian 12's Python 3.11.2, and these
    members need none of what extractall does beyond writing bytes."""
    for member in archive.getmembers():
        target = root / member.name.rstrip("/")
        if member.isdir():
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        source = archive.extractfile(member)
        with source, os.fdopen(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as writer:
            shutil.copyfileobj(source, writer, 1024 * 1024)


def _chmod(path: Path, mode: int) -> None:
    """Never through a link: that would change a file outside the instance."""
    if not path.is_symlink():
        os.chmod(path, mode)


def _read_manifest(archive: tarfile.TarFile, archive_path: Path) -> dict:
    """The manifest, checked for shape: {"files": {relative path: sha256}}."""
    try:
        member = archive.getmember("manifest.json")
        if not member.isfile():
            raise KeyError(member.name)
        manifest = json.loads(archive.extractfile(member).read())
    except (KeyError, ValueError):
        raise UsageError(f"{archive_path} has no manifest: not a brokerlearn backup") from None
    files = manifest.get("files") if isinstance(manifest, dict) else None
    if not isinstance(files, dict) or not all(
            isinstance(name, str) and _plain_relative(name) and isinstance(digest, str) and len(digest) == 64
            for name, digest in files.items()):
        raise UsageError(f"{archive_path} has a malformed manifest ('files' must map each file's path to its "
                         f"SHA-256): not a backup brokerlearn made; nothing restored")
    return manifest


def _plain_relative(name: str) -> bool:
    parts = name.split("/")
    return bool(name) and "\\" not in name and all(part not in ("", ".", "..") for part in parts)


def _check_members(archive: tarfile.TarFile, manifest: dict, archive_path: Path) -> None:
    """Only the manifest, the files it lists and their folders: no links, devices or extras."""
    files = {"manifest.json"} | {f"instance/{name}" for name in manifest["files"]}
    folders = {"instance"} | {f"instance/{parent.as_posix()}" for name in manifest["files"]
                              for parent in Path(name).parents if parent.as_posix() != "."}
    for member in archive.getmembers():
        name = member.name.rstrip("/")
        if (member.isfile() and name in files) or (member.isdir() and name in folders):
            continue
        kind = ("a symbolic link" if member.issym() else "a hard link" if member.islnk()
                else "a file its manifest does not list" if member.isfile() else "a folder it does not need"
                if member.isdir() else "a device or other special file")
        raise UsageError(f"{archive_path} holds {name!r}, {kind}: not a backup brokerlearn made; nothing restored")
