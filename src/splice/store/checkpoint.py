"""WAL checkpoints of a SQLite database, on a thread of their own instead of inside commits.

By default SQLite checkpoints inside the commit that pushes the write-ahead log past 1000
pages, and a checkpoint fsyncs the database file: that commit then takes milliseconds (tens on
a busy disk) instead of tens of microseconds. Splice runs SQLite statements on the event loop
(``store/sqlite_inline.py``), so the loop would stall for every request behind it. Splice's
connections therefore turn automatic checkpoints off, and this thread checkpoints whenever the
log has grown past ``max_wal_bytes``.

A checkpoint copies the log into the database, but only a log that was copied *entirely* can
start over; under steady writes a ``PASSIVE`` checkpoint (which never waits) is always a few
commits behind, so the log grew without end (a gigabyte in half a minute of webhooks), and every
page read got slower with it (SQLite looks pages up in the log's index before the file). So
every ``interval`` a ``PASSIVE`` pass copies what is new while writers go on, and once the log
holds more than ``max_wal_bytes`` a ``RESTART`` pass copies the last few frames with writers
held off (they wait without blocking the loop: ``sqlite_inline.begin_immediate``), so that the
next write starts the log over from its beginning. The file keeps its size (truncating it and
syncing that took three times as long, about 5 ms, with writers held); the last round, at
shutdown, empties it. The holding pass gives up after ``hold_seconds`` rather than hold
writers behind a long reader; the next round tries again.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading

__all__ = ["WalCheckpointer"]

log = logging.getLogger(__name__)

MAX_WAL_BYTES = 4 * 1024 * 1024
INTERVAL_SECONDS = 0.2
HOLD_SECONDS = 0.05


class WalCheckpointer:
    """``start()`` a daemon thread that checkpoints ``path``'s WAL once it passes the size."""

    def __init__(
        self,
        path: str,
        *,
        max_wal_bytes: int = MAX_WAL_BYTES,
        interval: float = INTERVAL_SECONDS,
        hold_seconds: float = HOLD_SECONDS,
    ) -> None:
        self._path = path
        self._wal = f"{path}-wal"
        self._max_wal_bytes = max_wal_bytes
        self._interval = interval
        self._hold_seconds = hold_seconds
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the thread (once)."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._run, name="splice-wal-checkpoint", daemon=True
            )
            self._thread.start()

    def signal_stop(self) -> None:
        """Ask the thread to stop (after one last checkpoint) without waiting for it."""
        self._stopping.set()

    def stop(self) -> None:
        """Stop the thread, after one last checkpoint."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None

    def wal_bytes(self) -> int:
        """The write-ahead log's current size (0 when there is none)."""
        try:
            return os.path.getsize(self._wal)
        except OSError:
            return 0

    def checkpoint(self, *, empty: bool = False) -> bool:
        """Copy the log into the database now, and have it start over once it holds more than
        ``max_wal_bytes`` (``empty``: start over in any case, and empty the file); whether the
        log is now short or starts over with the next write."""
        connection = sqlite3.connect(self._path, isolation_level=None, timeout=self._hold_seconds)
        try:
            (_, frames, _) = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            (page_size,) = connection.execute("PRAGMA page_size").fetchone()
            if not empty and frames * page_size <= self._max_wal_bytes:
                return True
            mode = "TRUNCATE" if empty else "RESTART"
            (busy, _, _) = connection.execute(f"PRAGMA wal_checkpoint({mode})").fetchone()
            return not busy
        finally:
            connection.close()

    def _run(self) -> None:
        while not self._stopping.wait(self._interval):
            if self.wal_bytes():
                self._try_checkpoint()
        if self.wal_bytes():
            self._try_checkpoint(empty=True)

    def _try_checkpoint(self, *, empty: bool = False) -> None:
        try:
            self.checkpoint(empty=empty)
        except sqlite3.Error as exc:  # e.g. the file was removed: the next round tries again
            log.warning("WAL checkpoint of %s failed: %s", self._path, exc)
