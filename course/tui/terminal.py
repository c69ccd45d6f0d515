"""The real terminal under the app, made safe for the moment it goes away.

When a terminal window closes (or `tmux kill-session`), the kernel hangs up the pty and sends
SIGHUP and then SIGCONT. Textual's LinuxDriver answers any SIGCONT by starting application mode
again: a second output thread, whose first write to the dead pty raises EIO and ends it. Its queue
of 30 writes then fills, and the main thread waits in `Queue.put` for ever, holding the data
folder's writer lock, and deaf to SIGTERM (asyncio's handler needs the blocked loop to run).

`TerminalDriver` resumes only after a real suspend, and its output swallows the errors of a
terminal that has gone, so no thread dies and nothing waits on it. (The app's exit deadline,
in course/tui/app.py, is the last resort.)
"""

from __future__ import annotations

import os
import signal
from typing import IO, TYPE_CHECKING, Any

from textual.drivers.linux_driver import LinuxDriver

if TYPE_CHECKING:
    from textual.app import App


class GoneTolerantOutput:
    """The terminal's stream, except that once a write or flush fails, output is dropped quietly."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self.gone = False

    def write(self, text: str) -> int:
        if not self.gone:
            try:
                self._stream.write(text)
            except (OSError, ValueError):  # EIO from a hung-up pty, or a closed stream
                self.gone = True
        return len(text)

    def flush(self) -> None:
        if not self.gone:
            try:
                self._stream.flush()
            except (OSError, ValueError):
                self.gone = True

    def fileno(self) -> int:
        return self._stream.fileno()

    def isatty(self) -> bool:
        return True


class TerminalDriver(LinuxDriver):
    """LinuxDriver that survives the terminal closing under it."""

    def __init__(self, app: App[Any], *, debug: bool = False, mouse: bool = True, size: tuple[int, int] | None = None) -> None:
        super().__init__(app, debug=debug, mouse=mouse, size=size)
        self._file = GoneTolerantOutput(self._file)  # type: ignore[assignment,arg-type]
        self._suspended = False
        self.closing = False

    def run_input_thread(self) -> None:
        try:
            super().run_input_thread()
        except OSError:
            # EIO: the terminal has gone. Close as a hang-up does (save, then exit), not with a traceback.
            os.kill(os.getpid(), signal.SIGHUP)

    def suspend_application_mode(self) -> None:
        super().suspend_application_mode()
        self._suspended = True

    def resume_application_mode(self) -> None:
        # Only after a suspend (ctrl+z, or App.suspend for $EDITOR): the SIGCONT that comes with a hang-up
        # must not start a second set of threads on a terminal that is gone.
        if not self._suspended or self.closing:
            return
        self._suspended = False
        super().resume_application_mode()
