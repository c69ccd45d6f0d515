"""The running server of `tillit serve`: textual-serve's Server with Tillit's log, Origin check, session
cap and session folders (see course.web.serve for what it guards against and why)."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from course.errors import TillitError
from course.i18n import REFERENCE, tr
from course.web.serve import (
    MAX_COLUMNS,
    MAX_MESSAGE,
    MAX_ROWS,
    MAX_SESSIONS,
    QUIT_SECONDS,
    SHUTDOWN_SECONDS,
    TERM_SECONDS,
    ServePlan,
    _origin,
    hold_root,
    refuse_port,
)
from course.web.session import new_session_dir, sweep_sessions, tidy_session

_FONT_LINK = re.compile(r"<link\b[^>]*fonts\.googleapis\.com[^>]*>\s*", re.IGNORECASE)

if TYPE_CHECKING:
    from aiohttp import web
    from textual_serve.server import Server


def run(plan: ServePlan, max_sessions: int = MAX_SESSIONS) -> None:
    """Start the server `plan` describes and serve until Ctrl+C (or SIGTERM)."""
    held = hold_root(plan)
    try:
        removed, kept = sweep_sessions(plan.root)
        if plan.warning is not None:
            print(plan.warning + "\n", file=sys.stderr, flush=True)
        print(plan.intro, flush=True)
        if removed or kept:
            print(
                f"Earlier sessions: removed {removed} folder(s) in which nothing was written, "
                f"kept {kept} that hold a participant's work.",
                flush=True,
            )
        server = _make_server(plan, max_sessions)
        import asyncio

        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)  # textual-serve runs on the current loop; a fresh one avoids a deprecation
        try:
            server.serve()
        except OSError as err:  # someone took the port between the check and the start
            refuse_port(err, plan.host, plan.port)
            raise
        finally:
            asyncio.set_event_loop(None)
            loop.close()
    finally:
        if held is not None:
            os.close(held)


def room_full_page(n: int, lang: str, again: str) -> str:
    """The page a browser gets when `n` sessions, the cap, are open already."""
    from course.render.pages import render

    return render(
        "room_full.html.j2",
        lang=lang,
        title=tr("serve.full.title", lang),
        body=tr("serve.full.body", lang, n=n),
        link=tr("serve.full.again", lang),
        again=again,
    )


def browser_lang(plan: ServePlan, accept_language: str | None) -> str:
    """The server's --lang, else the language the browser puts first when the course has it (Swedish for
    sv-SE), else English."""
    if plan.lang is not None:
        return plan.lang
    first = (accept_language or "").split(",", 1)[0].strip().lower()
    found = re.match(r"([a-z]{2,3})(?![a-z])", first)
    return found.group(1) if found and found.group(1) in plan.languages else REFERENCE


def _number(value: object, default: int, top: int) -> int:
    """A browser's number (of columns or rows), as an int from 1 to `top`; `default` when it is none."""
    try:
        number = int(str(value)[:12])
    except ValueError:
        return default
    return max(1, min(number, top))


LOG_LINE = 300  # characters in one line of the server's log, at most


def one_line(text: str, limit: int = LOG_LINE) -> str:
    """`text` as one inert line of the server's log: control characters (escapes from a request or
    a session) shown as symbols (`visible`), line breaks and tabs as spaces, at most `limit` long."""
    from course.content.terminal_text import visible

    text = visible(text).replace("\n", " ").replace("\t", " ").strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


_RAISED = re.compile(r"^[A-Za-z_][\w.]*: ")  # "NoMatches: No nodes match …", the line that names the error
_ESCAPE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?")  # colours, titles: dropped


class SessionErrors:
    """What one session writes on standard error, made fit for the trainer's terminal.

    A session says a line or two there (its folder, a refusal). The first SHOWN non-empty lines are
    logged, inert (colour codes dropped, other control characters shown as symbols); later ones are
    counted. A traceback (an app that crashed) is never shown: only its last line, the error, once the
    session's standard error has ended (textual prints one, for instance, when a browser goes away
    while the app is still starting).
    """

    SHOWN = 12

    def __init__(self) -> None:
        self.left = self.SHOWN
        self.more = 0
        self.crashed = False
        self.raised = False
        self.error = ""

    def line(self, raw: str) -> str | None:
        """The log line for one line the session wrote, or None when it is not shown (yet)."""
        text = one_line(_ESCAPE.sub("", raw))
        if not text:
            return None
        if "Traceback" in text:
            self.crashed = True
        if self.crashed:
            if _RAISED.match(text) and not self.raised:  # Python's and Rich's tracebacks both have one
                self.error, self.raised = text, True
            elif not self.raised and any(c.isalnum() for c in text):  # not a line of a box's frame
                self.error = text
            return None
        if self.left == 0:
            self.more += 1
            return None
        self.left -= 1
        return text

    def end(self) -> list[str]:
        """What is left to say once the session's standard error has ended."""
        said = []
        if self.crashed:
            said.append(one_line(f"a session's app stopped with an error: {self.error or 'it gave no reason'}"))
        if self.more:
            said.append(f"({self.more} more lines from that session's standard error were left out)")
        return said


REPEAT_SECONDS = 10.0  # a refusal is logged at most this often; the ones in between are counted


class Repeats:
    """Log lines of one kind (a refused session, say) at most once every `seconds`, the others counted.

    Anyone who can reach the port can be refused as often as they like; the trainer's terminal then
    gets a line every `seconds`, with the number left out since the one before, not a line a request.
    """

    def __init__(self, seconds: float = REPEAT_SECONDS, clock: Callable[[], float] | None = None) -> None:
        import time

        self.seconds = seconds
        self.clock = clock or time.monotonic
        self.last: dict[str, float] = {}
        self.held: dict[str, int] = {}

    def say(self, kind: str, text: str) -> None:
        now = self.clock()
        if kind in self.last and now - self.last[kind] < self.seconds:
            self.held[kind] = self.held.get(kind, 0) + 1
            return
        self.last[kind] = now
        held = self.held.pop(kind, 0)
        _say(f"{text} (and {held} more like it since the last such line)" if held else text)

    def flush(self) -> None:
        """Say how many were left out since their last line (the server is stopping)."""
        for kind, held in sorted(self.held.items()):
            _say(f"({held} more like the last {kind!r} line were left out)")
        self.held.clear()


class _OneLine(logging.Formatter):
    """A logging formatter: the time and one short line, never a traceback (they went to the trainer's
    terminal by the hundred for garbage requests). Control characters from requests are made visible."""

    def format(self, record: logging.LogRecord) -> str:
        import time

        text = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            text += f": {type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
        return f"{time.strftime('%H:%M:%S')} {one_line(text)}"


def _quiet(record: logging.LogRecord) -> bool:
    """Drop aiohttp's report of a malformed request: it has answered 400 already, which is all it needs."""
    from aiohttp.http_exceptions import HttpProcessingError

    error = record.exc_info[1] if record.exc_info else None
    return not isinstance(error, HttpProcessingError)


def _make_server(plan: ServePlan, max_sessions: int) -> Server:
    """textual-serve's Server, with Tillit's start-up line and log, an Origin check, a cap on session
    processes, one folder per session made (and tidied) by the server, no web font, no folder index,
    and a prompt end: a closed browser's session, or every session on Ctrl+C, is asked to quit, then
    ended."""
    import asyncio

    import aiohttp_jinja2
    import jinja2
    from aiohttp import WSCloseCode, WSMsgType, web
    from textual_serve.app_service import AppService
    from textual_serve.server import Server

    class Session(AppService):
        """One session process; `end()` makes sure it has exited.

        Its output is relayed here (not by textual-serve's `run`), so that what it writes on standard
        error reaches the log a line at a time and inert (`SessionErrors`), never as a raw traceback.
        """

        process: asyncio.subprocess.Process | None = None
        errors: asyncio.Task[None] | None = None

        async def _open_app_process(self, width: int = 80, height: int = 24) -> asyncio.subprocess.Process:
            self.process = process = await super()._open_app_process(width, height)
            assert process.stderr is not None
            self.errors = asyncio.create_task(self._log_errors(process.stderr))
            return process

        async def _log_errors(self, stream: asyncio.StreamReader) -> None:
            said = SessionErrors()
            while True:
                try:
                    raw = await stream.readline()
                except ValueError:  # a line longer than the stream's limit; the rest of it follows
                    raw = b"(a very long line)\n"
                if not raw:
                    break
                text = said.line(raw.decode("utf-8", "replace"))
                if text is not None:
                    _say(text)
            for text in said.end():
                _say(text)

        async def run(self) -> None:
            """Relay the app's packets to the browser until its output ends."""
            assert self.process is not None and self.process.stdout is not None
            stdout = self.process.stdout
            relaying = True
            try:
                for _ in range(10):  # Textual's web driver starts with this line; anything else is no app
                    line = await stdout.readline()
                    if not line or line == b"__GANGLION__\n":
                        break
                if line != b"__GANGLION__\n":
                    if line:
                        _say("a session did not start the app; it is ended")
                    await self.remote_close()
                    return
                handlers = {b"D": self.on_data, b"M": self.on_meta, b"P": self.on_packed}
                while True:
                    kind = await stdout.readexactly(1)
                    size = int.from_bytes(await stdout.readexactly(4), "big")
                    payload = await stdout.readexactly(size)
                    handler = handlers.get(kind)
                    if handler is not None and relaying:
                        try:
                            await handler(payload)
                        except Exception:  # the browser has gone: read on, so the app is never stuck writing
                            relaying = False
            except (asyncio.IncompleteReadError, ConnectionResetError, ValueError):
                pass  # the app's output ended (or was cut off): the session is over

        async def _exited(self, seconds: float) -> bool:
            assert self.process is not None
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(self.process.wait()), seconds)
            return self.process.returncode is not None

        async def end(self) -> None:
            """Ask the app to save and quit; SIGTERM it after QUIT_SECONDS, SIGKILL after TERM_SECONDS more."""
            process = self.process
            if process is None:
                return
            with contextlib.suppress(Exception):
                await self._download_manager.cancel_app_downloads(app_service_id=self.app_service_id)
            if process.returncode is None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(self.send_meta({"type": "quit"}), 1.0)
                for stop, seconds in ((None, QUIT_SECONDS), (process.terminate, TERM_SECONDS), (process.kill, None)):
                    if stop is not None:
                        with contextlib.suppress(ProcessLookupError):
                            stop()
                    if seconds is None:
                        await process.wait()
                    elif await self._exited(seconds):
                        break
            for reader in (self._task, self.errors):  # they read the app's output to its end, which has come
                if reader is not None:
                    try:
                        await asyncio.wait_for(reader, 2.0)
                    except Exception:  # TimeoutError, or whatever ended the reader
                        reader.cancel()
            self._task = self.errors = None

    class TillitServer(Server):
        tasks: set[asyncio.Task[Any]]
        live: int  # session processes started and not yet exited (a slot is taken before the start)
        repeats: Repeats

        def initialize_logging(self) -> None:
            handler = logging.StreamHandler(sys.stdout)
            handler.setFormatter(_OneLine())
            handler.addFilter(_quiet)
            logging.basicConfig(level=logging.INFO, handlers=[handler], force=True)
            # One line per session (below) says more to a trainer than one per HTTP request.
            logging.getLogger("aiohttp.access").setLevel(logging.WARNING)

        async def _make_app(self) -> web.Application:
            app = web.Application(client_max_size=MAX_MESSAGE)
            aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(self.templates_path))
            app.add_routes(
                [
                    web.get("/", self.handle_index, name="index"),
                    web.get("/full", self.handle_full, name="full"),
                    web.get("/ws", self.handle_websocket, name="websocket"),
                    web.get("/download/{key}", self.handle_download, name="download"),
                    web.static("/static", self.statics_path, show_index=False, name="static"),
                ]
            )
            app.on_startup.append(self.on_startup)
            app.on_shutdown.append(self.on_shutdown)
            return app

        async def on_startup(self, app: web.Application) -> None:
            self.tasks = set()
            self.live = 0
            self.repeats = Repeats()
            print("Ready.", flush=True)

        async def on_shutdown(self, app: web.Application) -> None:
            self.repeats.flush()
            # Each handler answers a cancel by ending its session (asked to quit, then stopped).
            running = [task for task in self.tasks if not task.done()]
            for task in running:
                task.cancel()
            if running:
                print(f"Closing {len(running)} open session(s)…", flush=True)
                await asyncio.wait(running, timeout=SHUTDOWN_SECONDS)
                await asyncio.sleep(0.2)  # let the ended processes be reaped before the loop closes

        def full(self) -> bool:
            return self.live >= max_sessions

        def room_full(self, request: web.Request) -> web.Response:
            lang = browser_lang(plan, request.headers.get("Accept-Language"))
            return web.Response(
                status=503,
                text=room_full_page(max_sessions, lang, f"{plan.url}/"),
                content_type="text/html",
                headers={"Retry-After": "60", "Cache-Control": "no-store"},
            )

        async def handle_index(self, request: web.Request) -> Any:
            if self.full():
                return self.room_full(request)
            response = await super().handle_index(request)
            if isinstance(response, web.Response) and response.text is not None:
                # The page would ask Google for a font, telling it who takes the course; use the local ones.
                response.text = _FONT_LINK.sub("", response.text)
            response.headers["Referrer-Policy"] = "no-referrer"
            response.headers["X-Frame-Options"] = "DENY"
            return response

        async def handle_full(self, request: web.Request) -> web.Response:
            if not self.full():
                raise web.HTTPSeeOther(f"{plan.url}/")
            return self.room_full(request)

        async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
            origin = request.headers.get("Origin")
            if origin is not None and _origin(origin) not in plan.origins:
                self.repeats.say(
                    "refused page", f"refused a session for a page from {origin[:80]!r}, from {request.remote}"
                )
                raise web.HTTPForbidden(text=f"Open Tillit at {plan.url}, not from another page.\n")
            websocket = web.WebSocketResponse(heartbeat=15, max_msg_size=MAX_MESSAGE)
            if not websocket.can_prepare(request).ok:
                raise web.HTTPBadRequest(text=f"This address is for Tillit's page; open {plan.url} in a browser.\n")
            await websocket.prepare(request)
            if self.full():
                self.repeats.say(
                    "room full", f"refused a session from {request.remote}: {max_sessions} are running already"
                )
                await self.say_full(request, websocket)
                return websocket
            self.live += 1
            task = asyncio.current_task()
            if task is not None:
                self.tasks.add(task)
            try:
                await self.run_session(request, websocket)  # returns once the session's process has exited
            finally:
                self.live -= 1
                if task is not None:
                    self.tasks.discard(task)
                _say(f"session ended ({self.live} running)")
            with contextlib.suppress(Exception):
                await websocket.close()
            return websocket

        async def say_full(self, request: web.Request, websocket: web.WebSocketResponse) -> None:
            """Send the browser to the room-full page (textual.js opens an "open_url" in the tab), then close."""
            lang = browser_lang(plan, request.headers.get("Accept-Language"))
            with contextlib.suppress(Exception):
                await websocket.send_str(json.dumps(["open_url", {"url": f"{plan.url}/full", "new_tab": False}]))
                await websocket.send_bytes(("\r\n  " + tr("serve.full.line", lang, n=max_sessions)).encode())
            with contextlib.suppress(Exception):
                await websocket.close(code=WSCloseCode.TRY_AGAIN_LATER, message=b"the room is full")

        async def run_session(self, request: web.Request, websocket: web.WebSocketResponse) -> None:
            """Make the session's folder, run its process while the browser is there, end it, tidy up.

            Returns only once the process has exited (the end cannot be cut short by a cancel).
            """
            folder: Path | None = None
            session: Session | None = None
            watch: asyncio.Task[None] | None = None
            try:
                folder = new_session_dir(plan.root)

                async def close() -> None:
                    await websocket.close()

                session = Session(
                    plan.session_command(folder.name),
                    write_bytes=websocket.send_bytes,
                    write_str=websocket.send_str,
                    close=close,
                    download_manager=self.download_manager,
                    debug=self.debug,
                )
                width = _number(request.query.get("width"), 80, MAX_COLUMNS)
                height = _number(request.query.get("height"), 24, MAX_ROWS)
                await session.start(width, height)
                _say(f"session started, from {request.remote or 'an unknown address'} ({self.live} running)")
                watch = asyncio.create_task(self.close_when_ended(session, websocket))
                await self.relay(websocket, session)
            except asyncio.CancelledError:
                pass  # the server is stopping: the session is ended below, as for a closed browser
            except (TillitError, OSError) as err:
                _say(f"a session could not start or stopped: {err}")
            except Exception as err:  # never a traceback in the trainer's terminal; one line says what
                _say(f"a session stopped: {type(err).__name__}: {err}")
            finally:
                if watch is not None:
                    watch.cancel()
                await _to_the_end(self.finish(session, folder))

        async def finish(self, session: Session | None, folder: Path | None) -> None:
            """End the session's process, then remove its folder unless something was written there."""
            if session is not None:
                await session.end()
            if folder is not None:
                tidy_session(folder)

        async def close_when_ended(self, session: Session, websocket: web.WebSocketResponse) -> None:
            """A session whose app ended by itself (or crashed) closes its browser's connection."""
            if session.process is not None:
                await session.process.wait()
            with contextlib.suppress(Exception):
                await websocket.close()

        async def relay(self, websocket: web.WebSocketResponse, session: Session) -> None:
            """What the browser sends, to the session; anything malformed is ignored."""
            async for message in websocket:
                if message.type != WSMsgType.TEXT:
                    continue
                try:
                    envelope = json.loads(message.data)
                except ValueError:
                    continue
                if not isinstance(envelope, list) or not envelope:
                    continue
                kind, data = envelope[0], envelope[1] if len(envelope) > 1 else None
                if kind == "stdin" and isinstance(data, str):
                    await session.send_bytes(data.encode("utf-8", "replace"))
                elif kind == "resize" and isinstance(data, dict):
                    width = _number(data.get("width"), 80, MAX_COLUMNS)
                    await session.set_terminal_size(width, _number(data.get("height"), 24, MAX_ROWS))
                elif kind == "ping" and isinstance(data, str):
                    await websocket.send_json(["pong", data[:64]])
                elif kind == "blur":
                    await session.blur()
                elif kind == "focus":
                    await session.focus()

    return TillitServer(plan.command, host=plan.host, port=plan.port, title="Tillit", public_url=plan.url)


def _say(text: str) -> None:
    """One line of the server's log, with the time; whatever it quotes is shown inert (`one_line`)."""
    import time

    print(f"{time.strftime('%H:%M:%S')} {one_line(text)}", flush=True)


async def _to_the_end(work: Awaitable[None]) -> None:
    """Await `work` to its end even when the awaiting task is cancelled, once or again (Ctrl+C cancels
    every session's handler, perhaps while it is already ending its session): a session's process must
    be ended, and its folder tidied, whatever happens to the task that waits for that."""
    import asyncio

    job = asyncio.ensure_future(work)
    while not job.done():
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.shield(job)
    job.result()
