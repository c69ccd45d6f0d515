"""Tillit in a real pseudo-terminal: typing, then the terminal closing (SIGHUP) or a kill (SIGTERM)."""

from __future__ import annotations

import contextlib
import os
import select
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest

pty = pytest.importorskip("pty")


def _read_until(fd: int, needle: bytes, seconds: float) -> bytes:
    seen = b""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
            if needle in seen:
                return seen
    raise AssertionError(f"{needle!r} did not appear on the terminal; last output: {seen[-400:]!r}")


# The real command line with the editor's autosave out of the way: what is saved after a signal can only
# have been saved by the signal handler, however slowly a loaded machine types the text into the pty.
_NO_AUTOSAVE = """
import sys
import course.tui.reflect
course.tui.reflect.AUTOSAVE_SECONDS = 3600.0
from course.cli.main import main
raise SystemExit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("sig", [signal.SIGHUP, signal.SIGTERM])
def test_text_typed_just_before_the_terminal_closes_is_saved(tmp_path: Path, sig: signal.Signals) -> None:
    data = tmp_path / "data"
    main, child = pty.openpty()
    os.set_blocking(main, True)
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "100", "LINES": "30"}
    env.pop("NO_COLOR", None)
    proc = subprocess.Popen(
        [sys.executable, "-c", _NO_AUTOSAVE, "--data", str(data), "--lang", "en"],
        stdin=child, stdout=child, stderr=child, env=env, start_new_session=True, close_fds=True,
    )  # fmt: skip
    os.close(child)
    try:
        _read_until(main, b"Continue", 30)
        os.write(main, b"w")
        _read_until(main, b"Prompt 1 of", 15)  # drawn after the editor took the focus
        os.write(main, "Tillit är [bold] viktigt".encode())
        shown = _read_until(main, b"unsaved changes", 10)
        if b"viktigt" not in shown:
            shown += _read_until(main, b"viktigt", 10)  # every typed key has reached the editor
        # no autosave: only the signal handler can save this text
        assert b"Saved" not in shown
        proc.send_signal(sig)
        deadline = time.monotonic() + 15
        while proc.poll() is None and time.monotonic() < deadline:
            # keep reading, or the app blocks writing its last frames to a full terminal
            if select.select([main], [], [], 0.1)[0]:
                try:
                    os.read(main, 65536)
                except OSError:
                    break
        proc.wait(timeout=5)
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(main)
    files = list((data / "journal").glob("*/*.toml"))
    assert len(files) == 1
    with files[0].open("rb") as f:
        assert tomllib.load(f)["text"] == "Tillit är [bold] viktigt"


# --- the terminal closing under the app (review B11) -------------------------------------------------
#
# A real hang-up: the pty is the app's controlling terminal (as in a terminal window or tmux), so closing
# its master makes the kernel send SIGHUP and then SIGCONT, and the app's reads and writes fail with EIO.

# Patches for the stuck-shutdown tests, applied before the real command line runs.
_STALL_CLOSE = """
import sys, threading
from textual.drivers.linux_driver import LinuxDriver
LinuxDriver.close = lambda self: threading.Event().wait()  # Textual's shutdown never finishes
import course.tui.reflect
from course.tui.app import TillitApp
course.tui.reflect.AUTOSAVE_SECONDS = 3600.0  # only the signal handler saves
TillitApp.EXIT_DEADLINE = 1.0  # the deadline under test, shorter than its 3 s so that the test waits less
from course.cli.main import main
raise SystemExit(main(sys.argv[1:]))
"""
_STALL_LOOP = """
import pathlib, sys, threading
from course.tui.app import TillitApp
from course.tui.home import HomeScreen
TillitApp.SAVE_DEADLINE = 1.0  # the deadline under test, shorter than its 10 s
STUCK = pathlib.Path(sys.argv[sys.argv.index("--data") + 1] + ".stuck")  # tells the test the loop is stuck
def stuck(self):
    STUCK.touch()
    threading.Event().wait()  # the main thread stuck in a lock wait
HomeScreen.action_reflect = stuck
from course.cli.main import main
raise SystemExit(main(sys.argv[1:]))
"""


def _take_terminal() -> None:
    """In the child: make the pty our controlling terminal, so that closing it is a real hang-up."""
    import fcntl
    import termios

    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def _start(data: Path, code: str | None = None) -> tuple[subprocess.Popen[bytes], int]:
    main, child = pty.openpty()
    os.set_blocking(main, True)
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "100", "LINES": "30"}
    env.pop("NO_COLOR", None)
    start = [sys.executable, "-m", "course"] if code is None else [sys.executable, "-c", code]
    proc = subprocess.Popen(
        [*start, "--data", str(data), "--lang", "en"],
        stdin=child, stdout=child, stderr=child, env=env, start_new_session=True, close_fds=True,
        preexec_fn=_take_terminal,
    )  # fmt: skip
    os.close(child)
    return proc, main


def _ended_within(proc: subprocess.Popen[bytes], seconds: float) -> bool:
    try:
        proc.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        return False
    return True


def _writer_lock_free(data: Path) -> bool:
    from course.store.instance import claim_writer

    claim = claim_writer(data)
    if claim is None:
        return False
    claim.release()
    return True


def test_closing_the_terminal_just_after_a_key_always_ends_the_app(tmp_path: Path) -> None:
    # Before the fix, 8 of 8 such closes left the app running for ever (a second output thread started by
    # the hang-up's SIGCONT died on EIO and the main thread waited on its full queue), holding the lock.
    keys = [b"w", b"c", b"cn", b"q", b"w"]  # reflect, open a lesson (it renders as the terminal goes), ...
    stuck = []
    for i in range(12):
        data = tmp_path / f"data{i}"
        proc, main = _start(data)
        try:
            _read_until(main, b"Continue", 30)
            os.write(main, keys[i % len(keys)])
            time.sleep(i * 0.0075)  # 0 to 82 ms after the key
            os.close(main)
            main = -1
            if not _ended_within(proc, 5):
                stuck.append(i)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            if main >= 0:
                os.close(main)
        assert _writer_lock_free(data)
    assert stuck == [], f"{len(stuck)} of 12 apps kept running after their terminal closed"


def _type_reflection(main: int, text: str) -> None:
    _read_until(main, b"Continue", 30)
    os.write(main, b"w")
    _read_until(main, b"Prompt 1 of", 15)  # drawn after the editor took the focus
    os.write(main, text.encode())
    shown = _read_until(main, b"unsaved changes", 10)
    if text.split()[-1].encode() not in shown:
        _read_until(main, text.split()[-1].encode(), 10)


def _saved_texts(data: Path) -> list[str]:
    texts = []
    for path in (data / "journal").glob("*/*.toml"):
        with path.open("rb") as f:
            texts.append(tomllib.load(f)["text"])
    return texts


@pytest.mark.parametrize("sig", [signal.SIGHUP, signal.SIGTERM])
def test_a_shutdown_that_never_finishes_still_ends_after_the_text_is_saved(tmp_path: Path, sig: signal.Signals) -> None:
    data = tmp_path / "data"
    proc, main = _start(data, _STALL_CLOSE)
    try:
        _type_reflection(main, "saved before the deadline")
        began = time.monotonic()
        proc.send_signal(sig)
        ended = False
        while time.monotonic() - began < 10 and not ended:
            if select.select([main], [], [], 0.1)[0]:
                with contextlib.suppress(OSError):
                    os.read(main, 65536)
            ended = proc.poll() is not None
        took = time.monotonic() - began
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(main)
    assert ended, "the app was still running 10 s after the signal"
    assert proc.returncode == -signal.SIGALRM  # ended by the exit deadline, not by the test
    assert took < 8
    assert _saved_texts(data) == ["saved before the deadline"]
    assert _writer_lock_free(data)


def test_sigterm_ends_the_app_even_when_its_main_thread_is_stuck(tmp_path: Path) -> None:
    data = tmp_path / "data"
    proc, main = _start(data, _STALL_LOOP)
    try:
        _read_until(main, b"Continue", 30)
        os.write(main, b"w")  # the patched action never returns: the loop can no longer run anything
        deadline = time.monotonic() + 15
        while not Path(f"{data}.stuck").exists() and time.monotonic() < deadline:
            if select.select([main], [], [], 0.05)[0]:  # keep reading, so the app never blocks on a full pty
                with contextlib.suppress(OSError):
                    os.read(main, 65536)
        assert Path(f"{data}.stuck").exists(), "the patched action never ran"
        proc.send_signal(signal.SIGTERM)
        ended = _ended_within(proc, 6)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(main)
    assert ended, "SIGTERM did not end an app whose event loop is stuck"
    assert _writer_lock_free(data)
