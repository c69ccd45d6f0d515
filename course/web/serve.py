"""`tillit serve`: Tillit in a web browser, one private Tillit per browser session (textual-serve).

textual-serve serves a page with a terminal (xterm.js). Every time a browser opens that page its
websocket starts a new process, `python -m course.web.session`, which makes a new, empty data folder

    <data root>/sessions/<YYYYMMDD-HHMMSS>-<random>/      (0700, like every Tillit data folder)

and runs the normal Tillit app on it. The random part comes from `secrets`; nothing the browser sends
(not even the window size, which textual-serve passes as numbers in the environment) reaches the command
line or the folder name. So no participant ever sees another's progress or reflections.

What the trainer should know, and tell participants (the start-up text says it too):

- When a browser goes away, its session is asked to save and quit, and is ended (SIGTERM, then
  SIGKILL) if it has not within a few seconds. Its folder is then removed, unless the participant
  wrote something in it (a reflection, a commitment, a share file or an export): such folders stay on
  this computer until the trainer deletes `<data root>/sessions/` after the workshop.
  `tillit journal list --data <folder>` reads one of them. At start the server removes the leftovers
  of earlier sessions (a killed server's) in which nothing was written.
- Reloading the page (or opening it again) starts a NEW, empty session: nothing links a browser back
  to its old folder, so progress made before a reload is not shown again in the browser.
- There is no password and no encryption (plain http). On 127.0.0.1 (the default) only this computer
  can connect; `--host` opens the port to the network, where anyone who can reach it can start sessions.

Guards, because the app has a few places that take a path (the journal export and share dialogs ask
where to save, the results view asks for a folder): a session process runs in its own folder and,
through a Python audit hook, refuses to write anywhere else, to read or list anything under the data
root but its own folder, and (unless the server was started with `--trainer`, for a trainer alone on
their own computer) to read or list anything outside it but the program and the course (see
`course.web.session.confine`). The websocket refuses browsers whose page came from another site
(the Origin header), so a web page the trainer happens to visit cannot drive a session on 127.0.0.1.
At most MAX_SESSIONS session processes live at once, counted until each has exited; past that a
browser gets a page saying the room is full. Malformed requests get aiohttp's 400 and no line in
the log; refusals are logged once in a while with a count; what a session writes on standard error
is shown inert, a line at a time, and a crashed app's traceback as its last line only: never a
traceback, never an escape sequence in the trainer's terminal. The page does not load Google's web
font (textual-serve's page would), so participants' browsers only talk to this server; /static/
lists no folder.

`import course.web.serve` is cheap: textual-serve (and with it aiohttp and Rich) loads only in `serve()`.
"""

from __future__ import annotations

import errno
import ipaddress
import os
import re
import shlex
import socket
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from course.errors import ContentError, UsageError
from course.store import datafolder, storage
from course.web.session import sessions_dir

if TYPE_CHECKING:
    pass

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
MAX_SESSIONS = 60  # session processes alive at once; each is a Python process of roughly 60-100 MB
SHUTDOWN_SECONDS = 10.0  # Ctrl+C: how long open sessions get to quit
QUIT_SECONDS = 3.0  # a browser went away: how long its session gets to save and quit
TERM_SECONDS = 2.0  # then how long after SIGTERM before SIGKILL
MAX_COLUMNS, MAX_ROWS = 500, 200  # a browser's terminal size, as it reports it, is clamped to this
MAX_MESSAGE = 1 << 20  # one websocket message from a browser (keys typed, a paste)
LOCK_NAME = ".serve.lock"  # <data root>/sessions/.serve.lock: held by the one server using that root
WILDCARD_HOSTS = ("0.0.0.0", "::", "")


def is_loopback(host: str) -> bool:
    """True when listening on `host` reaches this computer only (127.0.0.0/8, ::1, localhost)."""
    name = host.strip().removeprefix("[").removesuffix("]")
    if not name:
        return False
    if name.lower().rstrip(".") in ("localhost", "ip6-localhost", "ip6-loopback"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(name, None, type=socket.SOCK_STREAM)
    except OSError:
        return False
    addresses = {str(info[4][0]).split("%", 1)[0] for info in infos}
    return bool(addresses) and all(ipaddress.ip_address(a).is_loopback for a in addresses)


def session_argv(
    course_dir: Path, data_root: Path, lang: str | None = None, python: str | None = None, *, trainer: bool = False
) -> list[str]:
    """The command every browser session runs, as a list: only our own paths, never anything from a browser.

    The server adds `--session=NAME`, the folder it has just made for that session.
    """
    argv = [
        python or sys.executable,
        "-m",
        "course.web.session",
        f"--course={course_dir}",  # "--opt=value": a value can never be taken for an option
        f"--root={data_root}",
    ]
    if lang is not None:
        argv.append(f"--lang={lang}")
    if trainer:
        argv.append("--trainer")
    return argv


def command_line(argv: Sequence[str]) -> str:
    """`argv` as one command line for textual-serve, which runs it through the shell.

    Every word is quoted (shlex.quote), so spaces, quotes, `$`, backticks and `;` in a path stay
    part of that path; `shlex.split` of the result (after "exec") gives `argv` back.
    """
    if sys.platform == "win32":  # pragma: no cover - cmd.exe quoting
        return subprocess.list2cmdline(list(argv))
    return "exec " + shlex.join(argv)  # exec: the shell becomes the session, so it gets signals and ends with it


def _outward_address() -> str | None:
    """This computer's address on the network it would use to reach the internet (nothing is sent)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: a UDP connect only picks a route
            return str(probe.getsockname()[0])
    except OSError:
        return None


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def public_url_for(host: str, port: int) -> str:
    """The address to open: the host itself, or for 0.0.0.0 / :: this computer's network address."""
    if host.strip() in WILDCARD_HOSTS:
        host = _outward_address() or socket.gethostname()
    return f"http://{_url_host(host)}:{port}"


def _origin(url: str) -> str:
    """`scheme://host[:port]` of a URL, lower case, as browsers send it in the Origin header.

    A URL that is not one (a port that is not a number, a broken `[` address) gives "": no page has
    that origin, so it is refused like any other foreign one.
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return ""
    scheme = (parts.scheme or "http").lower()
    netloc = (parts.hostname or "").lower()
    netloc = _url_host(netloc)
    default = {"http": 80, "https": 443}.get(scheme)
    if port is not None and port != default:
        netloc += f":{port}"
    return f"{scheme}://{netloc}"


def allowed_origins(host: str, port: int, public_url: str) -> frozenset[str]:
    """The pages whose scripts may open a session: the public URL, and this computer's own names for it."""
    origins = {_origin(public_url)}
    if is_loopback(host) or host.strip() in WILDCARD_HOSTS:
        origins |= {_origin(f"http://{_url_host(name)}:{port}") for name in ("localhost", "127.0.0.1", "::1")}
    if host.strip() not in WILDCARD_HOSTS:
        origins.add(_origin(f"http://{_url_host(host.strip())}:{port}"))
    origins.discard("")  # what a broken Origin header gives: it must never match
    return frozenset(origins)


def check_port(host: str, port: int) -> None:
    """Raise UsageError unless `port` on `host` can be listened on now (it is bound and let go at once)."""
    if not 1 <= port <= 65535:
        raise UsageError(f"--port must be a number from 1 to 65535, not {port}.")
    try:
        infos = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as err:
        raise UsageError(
            f"Cannot listen on {host!r} ({err.strerror}); give an address of this computer with --host."
        ) from err
    bound = False
    for family, kind, proto, _name, address in infos:
        with socket.socket(family, kind, proto) as probe:
            if sys.platform != "win32":
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server itself will
            try:
                probe.bind(address)
            except OSError as err:
                refuse_port(err, host, port)
                continue  # EADDRNOTAVAIL for one family (say, IPv6 switched off): the server skips it too
            bound = True
    if not bound:
        raise UsageError(f"Cannot listen on {host!r}: it is not an address of this computer; check --host.")


def refuse_port(err: OSError, host: str, port: int) -> None:
    if err.errno == errno.EADDRINUSE:
        raise UsageError(f"port {port} is in use; choose another with --port") from err
    if err.errno in (errno.EACCES, errno.EPERM):
        raise UsageError(f"port {port} needs administrator rights; choose one above 1023 with --port") from err
    if err.errno != errno.EADDRNOTAVAIL:
        raise UsageError(
            f"Cannot listen on {host}:{port} ({err.strerror or err}); choose another --host or --port."
        ) from err


@dataclass(frozen=True)
class ServePlan:
    """Everything `serve` decided before starting: checked, and printable."""

    command: str
    host: str
    port: int
    url: str
    origins: frozenset[str]
    sessions: Path
    network: bool
    intro: str
    warning: str | None
    argv: tuple[str, ...] = ()
    root: Path = Path()
    lang: str | None = None
    trainer: bool = False
    languages: tuple[str, ...] = ()  # what --lang could have been: a browser's first language is taken from these

    def session_command(self, name: str) -> str:
        """The command for one session, in the folder `sessions/<name>` the server has just made."""
        return command_line([*self.argv, f"--session={name}"])


def startup_text(url: str, sessions: Path, trainer: bool = False) -> str:
    """What the trainer reads when the server starts (and can pass on to participants)."""
    lines = [
        f"Tillit is served at {url} — open that address in a web browser.",
        "Every browser tab that opens it starts its own, new and empty Tillit, with its own data folder in",
        f"  {sessions}/",
        "Reloading the page starts a NEW, empty session: earlier progress does not come back in the browser,",
        "so tell participants to keep the tab open during the workshop. When a tab is closed its folder is",
        "removed, unless the participant wrote something there (a reflection, a share file): that folder",
        "stays on this computer. Delete the sessions folder when the workshop is over.",
    ]
    if trainer:
        lines.append(
            "Trainer mode (--trainer): the browser may read share files anywhere on this computer; use it alone."
        )
    else:
        lines.append("A session can read files only in its own folder (Group results… reads share files there).")
    lines.append("Press Ctrl+C to stop the server; open sessions are closed.")
    return "\n".join(lines)


def network_warning(host: str, port: int) -> str:
    """The warning for listening on the network."""
    return "\n".join(
        [
            f"WARNING: Tillit is listening on the network ({_url_host(host) or '*'}:{port}), with no password.",
            "Anyone who can reach this port can open the app and start sessions. Each browser session gets its",
            "own empty data folder, so participants do not see each other's data, but nothing is protected by a",
            "password and the connection is not encrypted (http). Stop the server with Ctrl+C when you are done.",
        ]
    )


def prepare(
    course_dir: Path,
    data_root: Path,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    lang: str | None = None,
    public_url: str | None = None,
    *,
    allow_network: bool = False,
    probe_port: bool = True,
    trainer: bool = False,
) -> ServePlan:
    """Check everything `serve` needs and work out the command, URL and texts; raises TillitError.

    The data root is opened with `datafolder.open_data_folder`: a folder that is not Tillit's is refused
    (NotDataFolderError) and left untouched.
    """
    host = host.strip()
    network = not is_loopback(host)
    if network and not allow_network:
        raise UsageError(
            f"Listening on {host or 'every address'} opens Tillit to the network, "
            f"so ask for it explicitly with --host {host or '0.0.0.0'}."
        )
    if network and trainer:
        raise UsageError(
            "--trainer lets the browser read files anywhere on this computer, so it is for 127.0.0.1 only; "
            "leave out --host or --trainer."
        )
    from course.content.catalogs import lang_choices

    choices = lang_choices(Path(course_dir).expanduser().resolve())
    if lang is not None and lang not in choices:
        named = " or ".join([", ".join(choices[:-1]), choices[-1]] if len(choices) > 1 else choices)
        raise UsageError(f"--lang must be {named}, not {lang!r}.")
    if public_url is not None and (
        not re.match(r"^https?://[^\s/?#]+", public_url) or _origin(public_url) in ("", "http://", "https://")
    ):
        raise UsageError(
            f"--public-url must be http:// or https://, a host and perhaps a port number, not {public_url!r}."
        )
    if trainer and public_url is not None and not is_loopback(urlsplit(public_url).hostname or ""):
        raise UsageError(
            f"--trainer lets the browser read files anywhere on this computer, so it cannot be served to others "
            f"at {public_url}; leave out --public-url or --trainer."
        )
    course_dir = Path(course_dir).expanduser().resolve()
    data_root = Path(data_root).expanduser().resolve()
    from course.content.loader import check_course

    problems = check_course(course_dir)
    if problems:
        raise ContentError(problems, course_dir)
    sessions = sessions_dir(data_root)
    datafolder.open_data_folder(data_root)
    storage.ensure_dir(sessions)
    if probe_port:
        check_port(host, port)
    url = (public_url or public_url_for(host, port)).rstrip("/")
    argv = session_argv(course_dir, data_root, lang, trainer=trainer)
    return ServePlan(
        command=command_line(argv),
        host=host,
        port=port,
        url=url,
        origins=allowed_origins(host, port, url),
        sessions=sessions,
        network=network,
        intro=startup_text(url, sessions, trainer),
        warning=network_warning(host, port) if network else None,
        argv=tuple(argv),
        root=data_root,
        lang=lang,
        trainer=trainer,
        languages=choices,
    )


def hold_root(plan: ServePlan) -> int | None:
    """Take `sessions/.serve.lock` for this server's life (the descriptor; None where there is no flock).

    One server per data root: the start-up sweep removes folders no running app holds, which is only
    safe when no other server is making new ones there. UsageError when another server holds it.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        return None
    path = plan.sessions / LOCK_NAME
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | getattr(os, "O_NOFOLLOW", 0), 0o600)
    except OSError as err:
        raise storage.os_failure("folder", plan.sessions, err) from err
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as err:
        os.close(fd)
        raise UsageError(
            f"Another tillit serve is using the data folder {plan.root}; stop it first, or give this one another --data."
        ) from err
    return fd


def serve(
    course_dir: Path,
    data_root: Path,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    lang: str | None = None,
    public_url: str | None = None,
    *,
    allow_network: bool = False,
    max_sessions: int = MAX_SESSIONS,
    trainer: bool = False,
) -> None:
    """Serve Tillit to web browsers until Ctrl+C (or SIGTERM); raises TillitError before starting when it cannot.

    `host` must be a loopback address unless `allow_network` is True (the CLI passes True only when
    `--host` was given). `public_url` is the address browsers use, when it is not `http://host:port`
    (a reverse proxy, or a name participants know the computer by). `trainer` lets sessions read files
    anywhere on this computer (only on a loopback host).
    """
    plan = prepare(course_dir, data_root, host, port, lang, public_url, allow_network=allow_network, trainer=trainer)
    from course.web.server import run

    run(plan, max_sessions)
