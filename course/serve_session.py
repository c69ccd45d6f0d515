"""One browser session of `tillit serve`: a fresh private data folder, then the normal Tillit app on it.

textual-serve runs `python -m course.serve_session --course DIR --root DIR [--lang sv|en]` once for
every browser page load (every websocket). This module makes a new folder
`<root>/sessions/<YYYYMMDD-HHMMSS>-<random>` (0700; the random part comes from `secrets`, never from
anything the browser sends), then runs `tillit --course DIR --data <that folder> run` on it, with
textual-serve's web driver in place of a terminal.

The folder stays after the browser closes; a reload starts a new, empty folder, and nothing links a
browser back to its old one. Standard output belongs to the web driver's protocol, so everything this
module says goes to standard error (textual-serve shows it in the server's log when the session ends).
"""

from __future__ import annotations

import argparse
import errno
import os
import secrets
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from course import storage
from course.errors import StorageError, TillitError

SESSIONS = "sessions"
WEB_DRIVER = "textual.drivers.web_driver:WebDriver"  # what textual-serve puts in $TEXTUAL_DRIVER
SESSION_DRIVER = f"{__name__}:SessionDriver"


def sessions_dir(root: Path) -> Path:
    """Where `tillit serve` keeps one data folder per browser session."""
    return root / SESSIONS


def new_session_dir(root: Path) -> Path:
    """Create and return a new, empty, private (0700) folder under `<root>/sessions/`."""
    parent = sessions_dir(root)
    storage.ensure_dir(parent)
    for _attempt in range(8):
        # The time first keeps the folders in order and means a name never starts with "-".
        folder = parent / f"{time.strftime('%Y%m%d-%H%M%S')}-{secrets.token_urlsafe(12)}"
        try:
            folder.mkdir(mode=0o700)  # never exist_ok: a folder is only ever used by the session that made it
        except FileExistsError:
            continue
        except OSError as err:
            raise storage.os_failure("folder", folder, err) from err
        try:
            folder.chmod(0o700)  # mkdir's mode is reduced by the umask; make it exactly 0700
        except OSError as err:
            raise storage.os_failure("folder", folder, err) from err
        return folder
    raise StorageError(f"Could not make a new session folder in {parent}; check that folder and try again.")


_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
# Audit events that change the file system, and which of their arguments are the paths they change.
_CHANGES = {
    "os.rename": (0, 1),  # os.rename and os.replace
    "os.remove": (0,),
    "os.rmdir": (0,),
    "os.mkdir": (0,),
    "os.chmod": (0,),
    "os.chown": (0,),
    "os.chflags": (0,),
    "os.link": (1,),
    "os.symlink": (1,),
    "os.truncate": (0,),
    "os.utime": (0,),
    "os.setxattr": (0,),
    "os.removexattr": (0,),
    "shutil.rmtree": (0,),
    "shutil.move": (0, 1),
}


def _within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def confine(folder: Path, private_root: Path | None = None) -> None:
    """From now on, refuse (PermissionError) what this process would do outside its session's folder.

    A Python audit hook (it cannot be removed) checks the real path, symlinks resolved, of every file
    opened for writing and every rename, removal, new folder, mode change or link: all must be inside
    `folder`. Under `private_root` (the root of every session) nothing may be read or listed except
    `folder` itself, so no session can look into another's. This is not a sandbox against hostile
    code; it keeps a browser participant, who can only use the app, from making Tillit write anywhere
    else on the trainer's computer (the journal export and share dialogs take a path) or read another
    participant's folder (the results view reads a folder it is given).
    """
    inside = os.path.realpath(folder)
    hidden = os.path.realpath(private_root) if private_root is not None else None
    devnull = os.path.realpath(os.devnull)

    def real(target: object) -> str | None:
        try:
            return os.path.realpath(os.fsdecode(target))  # type: ignore[arg-type]
        except (TypeError, ValueError, OSError):
            return None

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if event == "open":
            target, mode, flags = (*args, None, None, None)[:3]
            writes = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                isinstance(flags, int) and bool(flags & _WRITE_FLAGS)
            )
            changed: tuple[object, ...] = (target,) if writes else ()
            looked_at: tuple[object, ...] = () if writes else (target,)
        elif event in _CHANGES:
            changed, looked_at = tuple(args[i] for i in _CHANGES[event] if i < len(args)), ()
        elif event in ("os.listdir", "os.scandir"):
            changed, looked_at = (), args[:1]
        else:
            return
        for target in changed:
            if isinstance(target, int):
                continue  # an open file descriptor: its opening was checked
            where = real(target)
            if where is None or not (_within(where, inside) or where == devnull):
                raise _refused(target, "can write only in its own folder")
        if hidden is None:
            return
        for target in looked_at:
            if target is None or isinstance(target, int):
                continue  # listing the current folder (the session's own) or an already open descriptor
            where = real(target)
            if where is None or (_within(where, hidden) and not _within(where, inside)):
                raise _refused(target, "cannot look into other sessions' folders")

    sys.addaudithook(hook)


def _refused(target: object, what: str) -> PermissionError:
    shown = os.fsdecode(target) if isinstance(target, (str, bytes, os.PathLike)) else str(target)
    return PermissionError(errno.EACCES, f"a browser session of tillit serve {what}", shown)


def __getattr__(name: str) -> Any:
    """`SessionDriver` is made on first use, so importing this module does not import Textual."""
    if name == "SessionDriver":
        driver = _session_driver()
        globals()[name] = driver
        return driver
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _session_driver() -> type:
    import asyncio

    from textual.drivers.web_driver import WebDriver

    class SessionDriver(WebDriver):
        """textual-serve's web driver, except that quitting saves first, as a closed terminal does.

        textual-serve sends the app "quit" when its browser goes away or the server stops, and Ctrl+C
        in the trainer's terminal sends every session SIGINT; Textual answers both by ending the app
        at once, which would lose what was typed since the last autosave. Here both ask the app to
        `save_and_exit()` (the same as SIGTERM and SIGHUP do in Tillit), when it has that method.
        """

        def _save_and_exit(self) -> bool:
            save = getattr(self._app, "save_and_exit", None)
            return callable(save) and self._app.call_later(save)  # call_later is safe from any thread

        def start_application_mode(self) -> None:
            super().start_application_mode()
            if sys.platform != "win32":
                loop = asyncio.get_running_loop()
                loop.add_signal_handler(signal.SIGINT, self._save_and_exit)

        def on_meta(self, packet_type: str, payload: dict[str, object]) -> None:
            if packet_type == "quit" and self._save_and_exit():
                return
            super().on_meta(packet_type, payload)

    SessionDriver.__module__ = __name__
    return SessionDriver


def build_parser() -> argparse.ArgumentParser:
    """The arguments `tillit serve` gives every session (a browser never chooses any of them)."""
    parser = argparse.ArgumentParser(
        prog="python -m course.serve_session",
        description="Run one browser session of `tillit serve` in a new, empty data folder under ROOT/sessions/.",
    )
    parser.add_argument("--course", metavar="DIR", required=True, help="the course folder")
    parser.add_argument("--root", metavar="DIR", required=True, help="make the session's folder in DIR/sessions/")
    parser.add_argument("--lang", choices=("sv", "en"), help="language for the course and the app")
    parser.add_argument(
        "--dry-run", action="store_true", help="only make the folder and print its path (for tests and checks)"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Make the session's folder and run Tillit on it; returns the exit code."""
    args = build_parser().parse_args(argv)
    root, course_dir = Path(args.root).resolve(), Path(args.course).resolve()  # before the chdir below
    try:
        folder = new_session_dir(root)
    except TillitError as err:
        print(f"tillit serve: {err}", file=sys.stderr)
        return 2
    if args.dry_run:
        print(folder)
        return 0
    # Ctrl+C in the trainer's terminal reaches the whole process group; the server then closes every
    # session by asking its app to quit. Until the app runs (SessionDriver then saves and quits), ignore it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if os.environ.get("TEXTUAL_DRIVER") == WEB_DRIVER:
        os.environ["TEXTUAL_DRIVER"] = SESSION_DRIVER
    # The session's folder is its whole world: relative paths (the journal export's default) land in it,
    # and nothing may be written outside it.
    sys.dont_write_bytecode = True
    os.chdir(folder)
    confine(folder, root)
    print(f"tillit serve: this session's data folder is {folder}", file=sys.stderr)
    from course import cli

    command = [f"--course={course_dir}", f"--data={folder}"]  # "=": a path can never pass for an option
    if args.lang is not None:
        command.append(f"--lang={args.lang}")
    return cli.main([*command, "run"])


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
