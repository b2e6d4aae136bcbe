"""The progress bar: shown for builds longer than a second, only when asked or in a terminal."""
import io
import sys
import time

from brokerlearn.compiler.progress import progress_bar


def test_bar_appears_after_a_second(monkeypatch):
    stream = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    with progress_bar(3, "lessons", show=True) as bar:
        for _ in range(3):
            time.sleep(0.4)
            bar.update(1)
    assert "lessons:" in stream.getvalue()


def test_no_bar_for_quick_work_or_outside_a_terminal(monkeypatch):
    stream = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    with progress_bar(3, "quick", show=True) as bar:
        bar.update(3)
    with progress_bar(3, "piped", show=None) as bar:  # StringIO is not a terminal
        time.sleep(1.1)
        bar.update(3)
    assert stream.getvalue() == ""
