"""Tillit in a real pseudo-terminal: typing, then the terminal closing (SIGHUP) or a kill (SIGTERM)."""

from __future__ import annotations

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


@pytest.mark.parametrize("sig", [signal.SIGHUP, signal.SIGTERM])
def test_text_typed_just_before_the_terminal_closes_is_saved(tmp_path: Path, sig: signal.Signals) -> None:
    data = tmp_path / "data"
    main, child = pty.openpty()
    os.set_blocking(main, True)
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "100", "LINES": "30"}
    env.pop("NO_COLOR", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "course", "--data", str(data), "--lang", "en"],
        stdin=child, stdout=child, stderr=child, env=env, start_new_session=True, close_fds=True,
    )  # fmt: skip
    os.close(child)
    try:
        _read_until(main, b"Continue", 30)
        os.write(main, b"w")
        _read_until(main, b"Prompt 1 of", 15)
        time.sleep(0.5)
        os.write(main, "Tillit är [bold] viktigt".encode())
        shown = _read_until(main, b"unsaved changes", 10)
        if b"viktigt" not in shown:
            shown += _read_until(main, b"viktigt", 10)  # every typed key has reached the editor
        # still inside the 3-second autosave: only the signal handler can save this text
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
