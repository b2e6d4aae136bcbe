"""A progress bar for long builds, shown only in a terminal and only after a second."""
from __future__ import annotations

import sys
from contextlib import contextmanager


class _Silent:
    def update(self, n: int = 1) -> None:
        pass


@contextmanager
def progress_bar(total: int, label: str, show: bool | None = None):
    if show is None:
        show = sys.stderr.isatty()
    if not show or total == 0:
        yield _Silent()
        return
    from tqdm import tqdm
    # delay: builds that finish within a second never show a bar
    with tqdm(total=total, desc=label, unit="file", file=sys.stderr, delay=1.0, leave=False) as bar:
        yield bar
