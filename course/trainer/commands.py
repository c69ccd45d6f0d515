"""The command channel from a notes view to the presenter it follows: `tillit present --notes` on the trainer's
laptop drives the slides on the projector.

A notes view writes `present/command.json` in the data folder (atomically, so a half file is never read),
naming the presentation the commands are for (the id in its state file) and numbering them. The
presenter looks at the file a few times a second and carries out each new command once; a command for
another presentation, an old one, or a file that does not read: all ignored.
"""

from __future__ import annotations

import json
import secrets
import time
from pathlib import Path
from typing import Any

from course.errors import StorageError
from course.store import reading, storage
from course.trainer.present import MAX_CHANNEL_BYTES

COMMAND_FILE = "present/command.json"
COMMANDS = ("next", "prev", "reveal", "timer", "blackout", "add", "less", "leave")
STALE_COMMAND = 10.0  # seconds: an older command (or one dated this far ahead) is never carried out
KEPT_COMMANDS = 16  # a sender keeps its last few in the file, so quick presses between two looks all arrive


def command_path(data_dir: Path) -> Path:
    return data_dir / COMMAND_FILE


class CommandSender:
    """A notes view's side of the command channel: each command is added to the sender's recent ones and
    the file is replaced atomically, naming the presentation it is for (a presenter ignores any other)."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.writer = secrets.token_hex(8)
        self.seq = 0
        self.presenter = ""
        self.recent: list[dict[str, Any]] = []

    def send(self, presenter: str, command: str, wall: float | None = None) -> None:
        """Ask presentation `presenter` to carry out `command` (one of COMMANDS); StorageError if the file
        cannot be written."""
        if command not in COMMANDS:
            raise ValueError(f"unknown command {command!r}")
        if presenter != self.presenter:
            self.presenter, self.recent = presenter, []
        self.seq += 1
        self.recent = [*self.recent, {"seq": self.seq, "command": command, "wall": time.time() if wall is None else wall}]
        self.recent = self.recent[-KEPT_COMMANDS:]
        body = {"version": 1, "presenter": presenter, "writer": self.writer, "commands": self.recent}
        path = command_path(self.data_dir)
        storage.ensure_dir(path.parent)
        storage.atomic_write(path, json.dumps(body).encode("utf-8"))


class CommandReader:
    """A presenter's side: the commands for this presentation not carried out yet, in order. A command for
    another presentation (an earlier run, another folder's), an old one, a malformed file: all ignored."""

    def __init__(self, data_dir: Path, presenter: str) -> None:
        self.path = command_path(data_dir)
        self.presenter = presenter
        self.seen: dict[str, int] = {}
        self.last: bytes | None = None

    def poll(self, wall: float | None = None) -> list[str]:
        try:
            raw = reading.read_regular(self.path, MAX_CHANNEL_BYTES)
        except (OSError, StorageError):
            return []
        if raw == self.last:
            return []
        self.last = raw
        try:
            body = json.loads(raw.decode("utf-8"))
        except ValueError:
            return []
        if not isinstance(body, dict) or body.get("version") != 1 or body.get("presenter") != self.presenter:
            return []
        writer, commands = body.get("writer"), body.get("commands")
        if not isinstance(writer, str) or not isinstance(commands, list):
            return []
        now = time.time() if wall is None else wall
        done = self.seen.get(writer, 0)
        out: list[str] = []
        for item in commands:
            if not isinstance(item, dict):
                continue
            seq, name, when = item.get("seq"), item.get("command"), item.get("wall")
            if not isinstance(seq, int) or isinstance(seq, bool) or seq <= done:
                continue
            done = seq
            fresh = isinstance(when, (int, float)) and not isinstance(when, bool) and abs(now - when) <= STALE_COMMAND
            if fresh and name in COMMANDS:
                out.append(str(name))
        self.seen[writer] = done
        return out
