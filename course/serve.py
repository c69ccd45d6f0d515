"""`tillit serve`: Tillit in a web browser, one private Tillit per browser session (textual-serve).

textual-serve serves a page with a terminal (xterm.js). Every time a browser opens that page its
websocket starts a new process, `python -m course.serve_session`, which makes a new, empty data folder

    <data root>/sessions/<YYYYMMDD-HHMMSS>-<random>/      (0700, like every Tillit data folder)

and runs the normal Tillit app on it. The random part comes from `secrets`; nothing the browser sends
(not even the window size, which textual-serve passes as numbers in the environment) reaches the command
line or the folder name. So no participant ever sees another's progress or reflections.

What the trainer should know, and tell participants (the start-up text says it too):

- A session's folder stays on this computer after the browser closes; delete `<data root>/sessions/`
  when the workshop is over. `tillit where --data <folder>` or `tillit journal list --data <folder>`
  read one of them.
- Reloading the page (or opening it again) starts a NEW, empty session: nothing links a browser back
  to its old folder, so progress made before a reload is not shown again in the browser.
- There is no password and no encryption (plain http). On 127.0.0.1 (the default) only this computer
  can connect; `--host` opens the port to the network, where anyone who can reach it can start sessions.

Guards, because the app has a few places that take a path (the journal export and share dialogs ask
where to save, the results view asks for a folder): a session process runs in its own folder and,
through a Python audit hook, refuses to write anywhere else or to read or list anything under the
data root but its own folder (see `course.serve_session.confine`); the websocket refuses browsers
whose page came from another site (the Origin header), so a web page the trainer happens to visit
cannot drive a session on 127.0.0.1; at most MAX_SESSIONS sessions run at once. The page does not
load Google's web font (textual-serve's page would), so participants' browsers only talk to this server.

`import course.serve` is cheap: textual-serve (and with it aiohttp and Rich) loads only in `serve()`.
"""

from __future__ import annotations

import errno
import ipaddress
import re
import shlex
import socket
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from course import storage
from course.errors import ContentError, UsageError
from course.serve_session import sessions_dir

if TYPE_CHECKING:
    from aiohttp import web
    from textual_serve.server import Server

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
MAX_SESSIONS = 60  # open browser sessions at once; each is a Python process of roughly 60-100 MB
SHUTDOWN_SECONDS = 10.0  # Ctrl+C: how long open sessions get to quit
WILDCARD_HOSTS = ("0.0.0.0", "::", "")
_FONT_LINK = re.compile(r"<link\b[^>]*fonts\.googleapis\.com[^>]*>\s*", re.IGNORECASE)


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


def session_argv(course_dir: Path, data_root: Path, lang: str | None = None, python: str | None = None) -> list[str]:
    """The command every browser session runs, as a list: only our own paths, never anything from a browser."""
    argv = [
        python or sys.executable,
        "-m",
        "course.serve_session",
        f"--course={course_dir}",  # "--opt=value": a value can never be taken for an option
        f"--root={data_root}",
    ]
    if lang is not None:
        argv.append(f"--lang={lang}")
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
    """`scheme://host[:port]` of a URL, lower case, as browsers send it in the Origin header."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    scheme = (parts.scheme or "http").lower()
    netloc = (parts.hostname or "").lower()
    netloc = _url_host(netloc)
    default = {"http": 80, "https": 443}.get(scheme)
    if parts.port is not None and parts.port != default:
        netloc += f":{parts.port}"
    return f"{scheme}://{netloc}"


def allowed_origins(host: str, port: int, public_url: str) -> frozenset[str]:
    """The pages whose scripts may open a session: the public URL, and this computer's own names for it."""
    origins = {_origin(public_url)}
    if is_loopback(host) or host.strip() in WILDCARD_HOSTS:
        origins |= {_origin(f"http://{_url_host(name)}:{port}") for name in ("localhost", "127.0.0.1", "::1")}
    if host.strip() not in WILDCARD_HOSTS:
        origins.add(_origin(f"http://{_url_host(host.strip())}:{port}"))
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
                _refuse(err, host, port)
                continue  # EADDRNOTAVAIL for one family (say, IPv6 switched off): the server skips it too
            bound = True
    if not bound:
        raise UsageError(f"Cannot listen on {host!r}: it is not an address of this computer; check --host.")


def _refuse(err: OSError, host: str, port: int) -> None:
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


def startup_text(url: str, sessions: Path) -> str:
    """What the trainer reads when the server starts (and can pass on to participants)."""
    return "\n".join(
        [
            f"Tillit is served at {url} — open that address in a web browser.",
            "Every browser tab that opens it starts its own, new and empty Tillit, with its own data folder in",
            f"  {sessions}/",
            "That folder stays on this computer after the tab is closed, but reloading the page starts a NEW,",
            "empty session: earlier progress does not come back in the browser. Tell participants to keep the tab",
            "open during the workshop. Delete that folder when the workshop is over.",
            "Press Ctrl+C to stop the server; open sessions are closed.",
        ]
    )


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
) -> ServePlan:
    """Check everything `serve` needs and work out the command, URL and texts; raises TillitError."""
    host = host.strip()
    network = not is_loopback(host)
    if network and not allow_network:
        raise UsageError(
            f"Listening on {host or 'every address'} opens Tillit to the network, "
            f"so ask for it explicitly with --host {host or '0.0.0.0'}."
        )
    if lang not in (None, "sv", "en"):
        raise UsageError(f"--lang must be sv or en, not {lang!r}.")
    if public_url is not None and not re.match(r"^https?://[^\s/?#]+", public_url):
        raise UsageError(f"--public-url must start with http:// or https:// and a host, not {public_url!r}.")
    course_dir = Path(course_dir).expanduser().resolve()
    data_root = Path(data_root).expanduser().resolve()
    from course.content import check_course

    problems = check_course(course_dir)
    if problems:
        raise ContentError(problems, course_dir)
    sessions = sessions_dir(data_root)
    storage.ensure_dir(data_root)
    storage.ensure_dir(sessions)
    if probe_port:
        check_port(host, port)
    url = (public_url or public_url_for(host, port)).rstrip("/")
    return ServePlan(
        command=command_line(session_argv(course_dir, data_root, lang)),
        host=host,
        port=port,
        url=url,
        origins=allowed_origins(host, port, url),
        sessions=sessions,
        network=network,
        intro=startup_text(url, sessions),
        warning=network_warning(host, port) if network else None,
    )


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
) -> None:
    """Serve Tillit to web browsers until Ctrl+C (or SIGTERM); raises TillitError before starting when it cannot.

    `host` must be a loopback address unless `allow_network` is True (the CLI passes True only when
    `--host` was given). `public_url` is the address browsers use, when it is not `http://host:port`
    (a reverse proxy, or a name participants know the computer by).
    """
    plan = prepare(course_dir, data_root, host, port, lang, public_url, allow_network=allow_network)
    if plan.warning is not None:
        print(plan.warning + "\n", file=sys.stderr, flush=True)
    print(plan.intro, flush=True)
    server = _make_server(plan, max_sessions)
    import asyncio

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)  # textual-serve runs on the current loop; a fresh one avoids a deprecation
    try:
        server.serve()
    except OSError as err:  # someone took the port between the check and the start
        _refuse(err, plan.host, plan.port)
        raise
    finally:
        asyncio.set_event_loop(None)
        loop.close()


def _make_server(plan: ServePlan, max_sessions: int) -> Server:
    """textual-serve's Server, with Tillit's start-up line, an Origin check, a session cap, no web font,
    and a prompt end: Ctrl+C asks every open session's app to quit instead of waiting for its browser."""
    import asyncio
    import logging

    from aiohttp import web
    from textual_serve.server import Server

    class TillitServer(Server):
        sessions: set[asyncio.Task[Any]]

        def initialize_logging(self) -> None:
            super().initialize_logging()
            # One line per session (below) says more to a trainer than one per HTTP request.
            logging.getLogger("aiohttp.access").setLevel(logging.WARNING)

        async def on_startup(self, app: web.Application) -> None:
            self.sessions = set()
            print("Ready.", flush=True)

        async def on_shutdown(self, app: web.Application) -> None:
            # textual-serve's handler answers a cancel by sending its app "quit" and waiting for it to end.
            running = [task for task in self.sessions if not task.done()]
            for task in running:
                task.cancel()
            if running:
                print(f"Closing {len(running)} open session(s)…", flush=True)
                await asyncio.wait(running, timeout=SHUTDOWN_SECONDS)
                await asyncio.sleep(0.2)  # let the ended processes be reaped before the loop closes

        async def handle_index(self, request: web.Request) -> Any:
            response = await super().handle_index(request)
            if isinstance(response, web.Response) and response.text is not None:
                # The page would ask Google for a font, telling it who takes the course; use the local ones.
                response.text = _FONT_LINK.sub("", response.text)
            response.headers["Referrer-Policy"] = "no-referrer"
            response.headers["X-Frame-Options"] = "DENY"
            return response

        async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
            origin = request.headers.get("Origin")
            if origin is not None and _origin(origin) not in plan.origins:
                _say(f"refused a session for a page from {origin!r}, from {request.remote}")
                raise web.HTTPForbidden(text=f"Open Tillit at {plan.url}, not from another page.\n")
            if len(self.sessions) >= max_sessions:
                _say(f"refused a session from {request.remote}: {max_sessions} are open already")
                raise web.HTTPServiceUnavailable(text="Too many Tillit sessions are open; try again later.\n")
            task = asyncio.current_task()
            if task is not None:
                self.sessions.add(task)
            _say(f"session started, from {request.remote or 'an unknown address'} ({len(self.sessions)} open)")
            try:
                return await super().handle_websocket(request)
            finally:
                if task is not None:
                    self.sessions.discard(task)
                _say(f"session ended ({len(self.sessions)} open)")

    return TillitServer(plan.command, host=plan.host, port=plan.port, title="Tillit", public_url=plan.url)


def _say(text: str) -> None:
    """One line of the server's log, with the time."""
    import time

    print(f"{time.strftime('%H:%M:%S')} {text}", flush=True)
