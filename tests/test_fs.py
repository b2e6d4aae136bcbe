"""brokerlearn.fs: atomic writes, the folder swap and the stat memo."""
import json
import os
import signal
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from brokerlearn.fs import AtomicFile, StatMemo, atomic_write_bytes, atomic_write_text, swap_folder

SRC = Path(__file__).resolve().parents[1] / "src"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_write_replaces_the_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "state.json"
    target.write_text("old", encoding="utf-8")
    atomic_write_text(target, "néw")
    assert target.read_text(encoding="utf-8") == "néw"
    atomic_write_bytes(target, b"\x00\x01")
    assert target.read_bytes() == b"\x00\x01"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json"]


def test_a_failed_write_keeps_the_old_file_whole_and_removes_its_temporary(tmp_path):
    target = tmp_path / "archive.zip"
    target.write_bytes(b"the old archive")
    with pytest.raises(RuntimeError):
        with AtomicFile(target) as handle:
            handle.write(b"half of a new")
            raise RuntimeError("disk full")
    assert target.read_bytes() == b"the old archive"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["archive.zip"]


def test_a_writer_killed_half_way_leaves_the_old_file_whole(tmp_path):
    target = tmp_path / "current"
    target.write_text("old key\n")
    child = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys, time
        from brokerlearn.fs import AtomicFile
        with AtomicFile({str(target)!r}) as handle:
            handle.write(b"new k")
            handle.flush()
            print("half", flush=True)
            time.sleep(60)
            handle.write(b"ey\\n")
    """)], stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(SRC)})
    try:
        assert child.stdout.readline() == "half\n"
        temporaries = [p for p in tmp_path.iterdir() if p.name != "current"]
        assert len(temporaries) == 1 and temporaries[0].read_bytes() == b"new k"  # it was mid-write
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
        child.stdout.close()
    assert target.read_text() == "old key\n"


def test_the_replaced_file_keeps_its_mode(tmp_path):
    target = tmp_path / "notes.txt"
    target.write_text("old")
    target.chmod(0o640)
    atomic_write_text(target, "new")
    assert _mode(target) == 0o640


def test_a_given_mode_holds_from_the_first_byte_whatever_the_umask(tmp_path):
    target = tmp_path / "backup.tar.gz"
    target.write_text("old")
    target.chmod(0o644)
    previous = os.umask(0)
    try:
        with AtomicFile(target, mode=0o600) as handle:
            temporary = next(p for p in tmp_path.iterdir() if p.name != target.name)
            assert _mode(temporary) == 0o600  # never readable by others, not even while empty
            handle.write(b"keys")
    finally:
        os.umask(previous)
    assert _mode(target) == 0o600


def test_a_new_file_gets_what_the_umask_gives(tmp_path):
    previous = os.umask(0o027)
    try:
        atomic_write_text(tmp_path / "new.txt", "x")
    finally:
        os.umask(previous)
    assert _mode(tmp_path / "new.txt") == 0o640


def test_an_unwritable_folder_fails_before_anything_is_written(tmp_path):
    with pytest.raises(FileNotFoundError):
        AtomicFile(tmp_path / "missing" / "file")


def test_swap_folder_replaces_a_folder_whole(tmp_path):
    old, new = tmp_path / "site", tmp_path / "staged"
    old.mkdir()
    (old / "stale.html").write_text("stale")
    new.mkdir()
    (new / "index.html").write_text("new")
    swap_folder(new, old)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
    assert sorted(p.name for p in old.iterdir()) == ["index.html"]
    swap_folder(tmp_path / "site", tmp_path / "moved")  # no folder there yet
    assert (tmp_path / "moved" / "index.html").read_text() == "new"


def _age(path: Path, seconds: int) -> None:
    """Make the file older than the memo's racy window."""
    then = path.stat().st_mtime_ns - seconds * 1_000_000_000
    os.utime(path, ns=(then, then))


def test_stat_memo_trusts_an_unchanged_file(tmp_path):
    path = tmp_path / "lesson.md"
    path.write_text("hello")
    _age(path, 10)
    calls = []
    memo = StatMemo()
    for _ in range(3):
        assert memo.value(path, lambda p: calls.append(p) or "digest") == "digest"
    assert len(calls) == 1
    again = StatMemo(json.loads(json.dumps(memo.entries)))  # entries survive a JSON cache
    assert again.get(path, path.stat()) == "digest"


def test_stat_memo_is_invalidated_by_a_change_of_size_or_time(tmp_path):
    path = tmp_path / "lesson.md"
    path.write_text("hello")
    _age(path, 10)
    memo = StatMemo()
    memo.put(path, path.stat(), "first")
    assert memo.get(path, path.stat()) == "first"
    path.write_text("hello, world")  # a new size
    assert memo.get(path, path.stat()) is None
    _age(path, 10)
    memo.put(path, path.stat(), "second")
    assert memo.get(path, path.stat()) == "second"
    before = path.stat()
    path.write_text("HELLO, WORLD")  # the same size, another time
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000))
    assert memo.get(path, path.stat()) is None


def test_stat_memo_does_not_trust_a_file_changed_within_the_time_grain(tmp_path):
    path = tmp_path / "lesson.md"
    path.write_text("hello")  # recorded at once: a second change could keep this time
    memo = StatMemo()
    memo.put(path, path.stat(), "digest")
    assert memo.get(path, path.stat()) is None
