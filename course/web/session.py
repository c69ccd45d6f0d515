"""One browser session of `tillit serve`: a fresh private data folder, then the normal Tillit app on it.

textual-serve runs `python -m course.web.session --course DIR --root DIR --session NAME [--lang sv|en]
[--trainer]` once for every browser page load (every websocket). The server has just made the new,
empty folder `<root>/sessions/NAME` (0700; NAME is the time and a part from `secrets`, never anything
the browser sends, see `new_session_dir`); this module runs `tillit --course DIR --data <that folder>
run` on it, with textual-serve's web driver in place of a terminal. (Without `--session` it makes the
folder itself.)

A reload starts a new, empty folder, and nothing links a browser back to its old one. When a session
ends, the server removes its folder unless the participant wrote something in it (`learner_work`):
a reflection, a commitment, or a file they saved, such as a share file for the trainer. Standard
output belongs to the web driver's protocol, so everything this module says goes to standard error
(textual-serve shows it in the server's log when the session ends).
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import os
import re
import secrets
import shutil
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from course.errors import StorageError, TillitError
from course.store import storage

SESSIONS = "sessions"
SESSION_NAME = re.compile(r"^[0-9]{8}-[0-9]{6}-[A-Za-z0-9_-]{16}$")  # what new_session_dir makes, nothing else
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


# What the app writes for itself in a session's folder: session state that nobody can come back to
# (a reload starts a new session), not something the participant wrote. Anything else is kept.
_STATE_FILES = {storage.MARKER, storage.LOCK_NAME, ".writer.lock", "progress.toml", "review.toml", "share-id.toml"}
_STATE_DIRS = {"attempts", "assessments", "backups", "present"}


def learner_work(folder: Path) -> Path | None:
    """The first thing in a session's folder that its participant wrote, or None when it holds only app state.

    Reflections (journal/), commitments, quarantined files and every file the app did not name itself
    (a share file, a journal export) count; progress, quiz attempts, self-assessment answers, backups
    and locks do not. A folder that cannot be read counts as holding work, so it is never removed blind.
    """
    try:
        for top in sorted(folder.iterdir()):
            if top.is_dir() and not top.is_symlink():
                if top.name in _STATE_DIRS:
                    continue
                for path in sorted(top.rglob("*")):
                    if not path.is_dir() or path.is_symlink():
                        return path
            elif top.name not in _STATE_FILES and storage.TEMP_NAME.match(top.name) is None:
                return top
    except OSError:
        return folder
    return None


def tidy_session(folder: Path) -> bool:
    """Remove an ended session's folder unless its participant wrote something there; True when removed."""
    if learner_work(folder) is not None:
        return False
    with contextlib.suppress(OSError):
        shutil.rmtree(folder)  # links inside are removed, never followed
    return not (folder.exists() or folder.is_symlink())


def session_alive(folder: Path) -> bool:
    """True while a Tillit app runs on `folder` (it holds `.writer.lock` for its whole life)."""
    from course.store.instance import WRITER_LOCK, lock_free

    return not lock_free(folder, WRITER_LOCK)


def sweep_sessions(root: Path) -> tuple[int, int]:
    """Remove the folders of ended sessions in which nothing was written: (removed, kept with work).

    For `tillit serve` at start, after it holds the root (no other server makes folders there), so a
    folder without a running app is a leftover, say of a server that was killed.
    """
    removed = kept = 0
    try:
        folders = sorted(sessions_dir(root).iterdir())
    except OSError:
        return 0, 0
    for folder in folders:
        if folder.is_symlink() or not folder.is_dir() or SESSION_NAME.match(folder.name) is None:
            continue
        if session_alive(folder):
            continue
        if tidy_session(folder):
            removed += 1
        else:
            kept += 1
    return removed, kept


READ_REFUSED = "can read only its own folder, not other folders on this computer"
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


def confine(folder: Path, private_root: Path | None = None, readable: Sequence[Path] | None = None) -> None:
    """From now on, refuse (PermissionError) what this process would do outside its session's folder.

    A Python audit hook (it cannot be removed) checks the real path, symlinks resolved, of every file
    opened for writing and every rename, removal, new folder, mode change or link: all must be inside
    `folder`. Under `private_root` (the root of every session) nothing may be read or listed except
    `folder` itself, so no session can look into another's. With `readable`, files may be opened for
    reading and folders listed only inside `folder` or one of those paths (the program's own files and
    the course), so a participant cannot read share files, or list folders, anywhere else on the
    trainer's computer. This is not a sandbox against hostile code; it keeps a browser participant,
    who can only use the app, from making Tillit write anywhere else (the journal export and share
    dialogs take a path) or read what is not theirs (the results view reads a folder it is given).
    """
    inside = os.path.realpath(folder)
    hidden = os.path.realpath(private_root) if private_root is not None else None
    devnull = os.path.realpath(os.devnull)
    allowed = None if readable is None else tuple(os.path.realpath(p) for p in readable)

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
        for target in looked_at:
            if isinstance(target, int):
                continue  # an already open descriptor: its opening was checked
            where = real("." if target is None else target)  # None: os.listdir() of the current folder
            if where is None:
                raise _refused(target, READ_REFUSED)
            if hidden is not None and _within(where, hidden) and not _within(where, inside):
                raise _refused(target, "cannot look into other sessions' folders")
            if allowed is not None and not (
                _within(where, inside) or where == devnull or any(_within(where, root) for root in allowed)
            ):
                raise _refused(target, READ_REFUSED)

    sys.addaudithook(hook)


def program_files(course_dir: Path, data_root: Path, start_cwd: str | None = None) -> list[Path]:
    """What a session must still read once confined: Python, the installed packages, Tillit and its course.

    Left out: the folder the server was started in (`python -m` puts it first on sys.path, and it may
    well be the trainer's home), and any path that holds the data root, since that would open the
    folders beside it too.
    """
    import sysconfig

    candidates: list[str] = [sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix, *sys.path]
    candidates += [p for p in sysconfig.get_paths().values() if p]
    with contextlib.suppress(Exception):
        import zoneinfo

        candidates += list(zoneinfo.TZPATH)
    with contextlib.suppress(Exception):
        from course.content.parsecache import cache_file

        cache = cache_file()
        if cache is not None:
            candidates.append(str(cache))
    root = os.path.realpath(data_root)
    left_out = os.path.realpath(start_cwd) if start_cwd else None
    chosen = [Path(os.path.realpath(course_dir)), Path(__file__).resolve().parent.parent]  # always, wherever they are
    for candidate in candidates:
        if not candidate:
            continue
        where = os.path.realpath(candidate)
        if where == left_out or _within(root, where) or Path(where) in chosen:
            continue
        chosen.append(Path(where))
    return chosen


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
        prog="python -m course.web.session",
        description="Run one browser session of `tillit serve` in a new, empty data folder under ROOT/sessions/.",
    )
    parser.add_argument("--course", metavar="DIR", required=True, help="the course folder")
    parser.add_argument("--root", metavar="DIR", required=True, help="make the session's folder in DIR/sessions/")
    parser.add_argument(
        "--session", metavar="NAME", help="use the new, empty folder ROOT/sessions/NAME the server made"
    )
    parser.add_argument("--lang", metavar="LANG", help="language for the course and the app (one `tillit serve` checked)")
    parser.add_argument(
        "--trainer",
        action="store_true",
        help="the trainer's own session: it may read files anywhere (not only its folder)",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="only make the folder and print its path (for tests and checks)"
    )
    return parser


def given_session_dir(root: Path, name: str) -> Path:
    """The folder `<root>/sessions/<name>` the server made for this session; StorageError unless it is one."""
    folder = sessions_dir(root) / name
    if SESSION_NAME.match(name) is None or folder.is_symlink() or not folder.is_dir():
        raise StorageError(f"{folder} is not a session folder made by tillit serve; start the session from the server.")
    try:
        empty = not any(folder.iterdir())
    except OSError as err:
        raise storage.os_failure("folder", folder, err) from err
    if not empty:
        raise StorageError(f"The session folder {folder} is in use already; start a new session from the server.")
    return folder


def enter(folder: Path, root: Path, course_dir: Path, *, trainer: bool, start_cwd: str | None) -> None:
    """Make the session's folder its whole world, for the rest of this process.

    Relative paths (the journal export's default) land in it, nothing may be written outside it and,
    unless this is the trainer's own session (`trainer`), nothing read or listed outside it but the
    program and the course (see `confine`).
    """
    sys.dont_write_bytecode = True
    os.chdir(folder)
    confine(folder, root, None if trainer else program_files(course_dir, root, start_cwd))


def main(argv: Sequence[str] | None = None) -> int:
    """Make (or take) the session's folder and run Tillit on it; returns the exit code."""
    args = build_parser().parse_args(argv)
    start_cwd = os.getcwd()
    root, course_dir = Path(args.root).resolve(), Path(args.course).resolve()  # before the chdir below
    try:
        folder = new_session_dir(root) if args.session is None else given_session_dir(root, args.session)
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
    enter(folder, root, course_dir, trainer=args.trainer, start_cwd=start_cwd)
    print(f"tillit serve: this session's data folder is {folder}", file=sys.stderr)
    from course.content.terminal_text import visible
    from course.store.paths import Locations
    from course.tui.launch import run_app

    try:
        return run_app(Locations(course_dir, "tillit serve", folder, "this browser session's own folder"), args.lang)
    except TillitError as err:  # the server checked the course; a folder that fails now gets one line
        print(visible(f"tillit serve: {err}"), file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
