"""Work spread over worker processes, the results coming back in the order of the work.

Used for whole batches (``perfdoc validate`` and ``perfdoc build`` over hundreds of
sources). A small batch is done in this process: starting a worker costs about
as much as a few sources.

A worker that dies (killed, out of memory) takes the items it held with it:
they are done again, one at a time, in a new worker, so that only an item
that kills its worker once more is given up, and the batch goes on.
"""

from __future__ import annotations

import gc
import os
import threading
import time
from collections import deque
from typing import Callable, Iterator

from ..errors import UserError

# A worker is started only for at least this many items: below it, the start costs more than it saves.
ITEMS_PER_WORKER = 8
# Reading a source allocates tens of thousands of small objects that die young and hold no cycles:
# with the default threshold (700) the collector runs every few hundred of them, a tenth of the time.
BATCH_GC_THRESHOLD = 50_000
# Items handed to each worker ahead of the one being waited for: enough to keep it busy,
# few enough that results do not pile up.
QUEUED_PER_WORKER = 4


def default_jobs() -> int:
    """The number of cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


class WorkerDied(UserError):
    """A worker process ended while it held an item, twice (see the module docstring)."""

    def __init__(self):
        super().__init__("处理它的工作进程意外退出（可能是内存不足，或进程被终止），已跳过")


def in_order(
    work: Callable,
    items: list,
    jobs: int,
    setup: Callable | None = None,
    setup_args: tuple = (),
    failed: Callable | None = None,
) -> Iterator:
    """``work(item)`` for each item, yielded in the items' order.

    ``work`` and ``setup`` are module-level functions (a worker imports them);
    ``setup(*setup_args)`` runs once in each process that does work, before any.
    An item whose worker died twice gives ``failed(item, WorkerDied())`` (raised without ``failed``).
    """
    if not items:
        return
    workers = min(jobs, len(items) // ITEMS_PER_WORKER)
    if workers <= 1:
        thresholds = gc.get_threshold()
        _start(setup, setup_args)
        try:
            yield from map(work, items)
        finally:
            gc.set_threshold(*thresholds)
        return
    from concurrent.futures.process import BrokenProcessPool  # only here: validating one file must not pay for importing them

    pool = _Workers(workers, setup, setup_args)
    waiting = iter(items)
    pending: deque = deque()  # (item, future), in the items' order

    def top_up():
        while len(pending) < workers * QUEUED_PER_WORKER:
            item = next(waiting, _NOTHING)
            if item is _NOTHING:
                return
            pending.append((item, pool.submit(work, item)))

    try:
        top_up()
        while pending:
            item, future = pending.popleft()
            try:
                result = future.result()
            except BrokenProcessPool:
                held = [item, *(other for other, _ in pending)]
                pending.clear()
                pool.restart()
                for suspect in held:
                    yield pool.alone(work, suspect, failed)
                top_up()
                continue
            top_up()
            yield result
    finally:
        for _, future in pending:
            future.cancel()
        pool.shutdown()


class _Workers:
    """A process pool that can be started again after one of its workers died."""

    def __init__(self, workers: int, setup: Callable | None, setup_args: tuple):
        self._arguments = (workers, setup, setup_args)
        self._pool = self._started()

    def _started(self):
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        workers, setup, setup_args = self._arguments
        # spawn: a fresh interpreter per worker, safe whatever threads this process runs
        return ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(os.getpid(), setup, setup_args),
        )

    def submit(self, work: Callable, item):
        """The future of ``work(item)``; once a worker has died, one that says so."""
        from concurrent.futures.process import BrokenProcessPool

        try:
            return self._pool.submit(work, item)
        except BrokenProcessPool as exc:
            return _failed_future(exc)
        except OSError:
            # The pool broke while this submit started a worker: the queue it was handing over is closed.
            if not self._pool._broken:
                raise
            return _failed_future(BrokenProcessPool(self._pool._broken))

    def alone(self, work: Callable, item, failed: Callable | None):
        """``work(item)`` with no other item in the pool: when its worker dies, it was this item."""
        from concurrent.futures.process import BrokenProcessPool

        try:
            return self.submit(work, item).result()
        except BrokenProcessPool:
            self.restart()
            if failed is None:
                raise WorkerDied() from None
            return failed(item, WorkerDied())

    def restart(self) -> None:
        self.shutdown()
        self._pool = self._started()

    def shutdown(self) -> None:
        if self._pool._broken:
            # CPython misses a worker it was starting for a submit as the pool broke, then waits for it for ever.
            for process in list((self._pool._processes or {}).values()):
                process.kill()
        self._pool.shutdown(wait=True, cancel_futures=True)


def _failed_future(exc: BaseException):
    from concurrent.futures import Future

    failed: Future = Future()
    failed.set_exception(exc)
    return failed


def _start(setup: Callable | None, setup_args: tuple) -> None:
    """Prepare a process for a batch: fewer garbage collections, then ``setup``."""
    first, *older = gc.get_threshold()
    gc.set_threshold(max(first, BATCH_GC_THRESHOLD), *older)
    if setup is not None:
        setup(*setup_args)


def _start_worker(parent: int, setup: Callable | None, setup_args: tuple) -> None:
    """:func:`_start` in a worker that ends as soon as the process that started it is gone.

    Killed with SIGKILL, the main process cannot stop its workers; without
    this they would work through their queue and wait for more, holding the
    output pipe (and multiprocessing's resource tracker) open for minutes.
    """
    _die_with(parent)
    _start(setup, setup_args)


def _die_with(parent: int) -> None:
    try:  # Linux: the kernel kills this process when its parent dies
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # died before the request above
        os._exit(1)

    def watch() -> None:  # elsewhere, and if the parent was not the thread's: look twice a second
        while os.getppid() == parent:
            time.sleep(PARENT_POLL_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="perfdoc-parent-watch", daemon=True).start()


PR_SET_PDEATHSIG = 1
PARENT_POLL_SECONDS = 0.5
_NOTHING = object()
