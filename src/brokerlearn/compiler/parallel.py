"""Running one function over many items on every core: the build's lessons, then its pages.

Workers are forked (Linux, macOS) so they start with everything the build has loaded: the
courses, the link targets, the compiled theme, the plan of files. Only the items' results cross
back, pickled. The function may be any callable (a closure too): it is left in a module global
before the fork, never pickled. Where fork is not available, or the work is too small to gain
from it (a rebuild of a few lessons), it runs in this process, as a build with `jobs=1` does.
"""
from __future__ import annotations

import gc
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from typing import Callable, Sequence, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

# Below this many items a pool costs more than it saves (measured in bench/README.md, "Parallel
# build": starting two forked workers of a 2,000-lesson build took 0.08 to 0.28 s wall and
# 0.04 CPU s at load 17; a lesson or page takes 5 to 10 ms).
MIN_ITEMS = 40
CHUNKS_PER_WORKER = 8  # small enough chunks that a slow one does not leave a core idle at the end

_task: Callable | None = None  # the function of the running map, inherited by the forked workers
_in_worker = False  # set in each forked worker when it starts


def default_jobs() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def in_worker() -> bool:
    """Whether this process is a worker of `map_items`, whose results are pickled to the main
    process and kept there: a function can leave out what the main process need not hold."""
    return _in_worker


def map_items(function: Callable[[Item], Result], items: Sequence[Item], jobs: int | None,
              on_chunk: Callable[[int], None] | None = None) -> list[Result]:
    """`[function(item) for item in items]`, in the items' order, on up to `jobs` processes
    (None: every core). An exception raised by `function` in a worker is raised here, as it is
    (our errors pickle: they carry the file and line they name). `on_chunk(n)` is told each
    time n more items are done (a progress bar)."""
    jobs = default_jobs() if jobs is None else jobs
    if jobs <= 1 or len(items) < MIN_ITEMS or "fork" not in multiprocessing.get_all_start_methods():
        return _in_process(function, items, on_chunk)
    global _task
    _task = function
    size = max(1, -(-len(items) // (jobs * CHUNKS_PER_WORKER)))
    chunks = [items[start:start + size] for start in range(0, len(items), size)]
    # The collector writes into every object it visits, which would copy into each worker the
    # pages it shares with this process: frozen objects are left alone (the gc module's advice).
    gc.freeze()
    executor = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork"),
                                   initializer=_mark_worker)
    results: list = []
    try:
        for chunk, done in zip(chunks, executor.map(_run_chunk, chunks)):
            results.extend(done)
            if on_chunk:
                on_chunk(len(chunk))
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
        gc.unfreeze()
        _task = None
    return results


def _in_process(function, items, on_chunk) -> list:
    results = []
    for item in items:
        results.append(function(item))
        if on_chunk:
            on_chunk(1)
    return results


def _mark_worker() -> None:
    global _in_worker
    _in_worker = True


def _run_chunk(chunk: Sequence) -> list:
    return [_task(item) for item in chunk]
