"""`tillit serve` under attack (reliability review A7, B6, B7): garbage requests, session churn, reads elsewhere.

- A7: malformed and oversized requests, and an Origin whose port is not a number, get an answer
  (400, 403, …) and at most a few short lines in the trainer's terminal, never a traceback.
- B6: the cap counts session processes until they have exited; past it a browser is sent to the
  room-full page; a session's folder goes when the session ends unless something was written there.
- B7: a browser session reads only its own folder and the program (unless the server is the trainer's).

The servers run in their own process group, on a free port, with a data root in tmp_path.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from course.errors import NotDataFolderError, UsageError
from course.web.serve import _origin, allowed_origins, prepare
from course.web.session import new_session_dir, sessions_dir

from .conftest import REPO
from .test_serve import SERVER, _free_port, _process_group, _wait_for_port

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="counts processes through /proc")


class Server:
    """`serve(...)` in a process group of its own, its output in a log file."""

    pid: int
    process: subprocess.Popen[bytes]

    def __init__(self, root: Path, log: Path, cap: int) -> None:
        self.root, self.log, self.cap = root, log, cap
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"

    @property
    def sessions(self) -> Path:
        return sessions_dir(self.root)

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def folders(self) -> list[Path]:
        return sorted(p for p in self.sessions.iterdir() if p.is_dir())

    def children(self) -> list[int]:
        """The server's session processes that are alive (a zombie has exited: it is not counted)."""
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
                command = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            state, parent = stat.rsplit(")", 1)[1].split()[:2]
            if int(parent) == self.pid and state != "Z" and b"course.web.session" in command:
                found.append(int(entry.name))
        return found

    @staticmethod
    def wait(condition: Any, seconds: float, what: str) -> None:
        end = time.monotonic() + seconds
        while not condition():
            assert time.monotonic() < end, what
            time.sleep(0.02)

    def stop(self, process: subprocess.Popen[bytes]) -> str:
        """Ctrl+C, as the trainer would; the whole log once the server has ended."""
        process.send_signal(signal.SIGINT)
        process.wait(timeout=20)
        return self.text()


@pytest.fixture
def server(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Server]:
    cap = getattr(request, "param", 2)
    plan = Server(tmp_path / "data root", tmp_path / "server.log", cap)
    argv = [sys.executable, "-c", SERVER, str(REPO), str(plan.root), str(plan.port), str(cap)]
    with plan.log.open("wb") as out, _process_group(argv, stdout=out, stderr=subprocess.STDOUT) as process:
        plan.pid = process.pid
        plan.process = process
        _wait_for_port(plan.port, process, plan.log, time.monotonic() + 30)
        Server.wait(lambda: "Ready." in plan.text(), 10, "the server never said Ready.")
        yield plan


# --- A7: garbage requests and broken Origin headers ----------------------------------------------------------

_UPGRADE = (
    "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
    "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
)


def _malformed() -> list[bytes]:
    noise = random.Random(7)
    requests = [
        b"\x00\x01\x02\x03garbage\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\nX-Long: " + b"a" * 20_000 + b"\r\n\r\n",  # an oversized header
        b"GET /" + b"a" * 20_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",  # an oversized address
        b"GET / HTTP/1.1\r\nHost: x\r\n" + b"X-Many: b\r\n" * 300 + b"\r\n",
        b"GET / HTTP/9.9\r\nHost: x\r\n\r\n",
        b"G\x1bT / HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET / HTTP/1.1\r\na header line without a colon\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\nX-Title: \x1b]0;pwned\x07\x1b[2J\r\n\r\n",
        b"GET /?fontsize=\x1b[31m HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: \xff\xfe\xfd\r\n\r\n",
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n",
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello",
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nnot a chunk\r\n",
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n",
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\ncut short",
        b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
        b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03" + noise.randbytes(120),  # a TLS hello, on plain http
        b"\r\n" * 2000,
        b"GET /ws HTTP/1.1\r\nHost: x\r\n\r\n",  # the websocket's address, without an upgrade
        (_UPGRADE.replace("13", "99") + "\r\n").encode(),
        (_UPGRADE.replace("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n", "") + "\r\n").encode(),
        (_UPGRADE + "Origin: http://[::1\r\n\r\n").encode(),
        (_UPGRADE + "Origin: http://127.0.0.1:99999\r\n\r\n").encode(),
        b"GET /static/ HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /static/../../../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /static/%2e%2e/%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /download/no-such-key HTTP/1.1\r\nHost: x\r\n\r\n",
    ]
    return requests + [noise.randbytes(noise.randint(1, 3000)) for _ in range(4)]


async def _send_raw(port: int, data: bytes) -> bytes:
    """Send `data` on a new connection; the first bytes of the answer (b"" when the server just closed)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(data)
        await writer.drain()
        try:
            return await asyncio.wait_for(reader.read(4096), 3)
        except TimeoutError:
            return b""  # still waiting for the rest of the request: a fair answer to a cut-off one
    except ConnectionError:
        return b""
    finally:
        writer.close()


def _status(answer: bytes) -> int | None:
    found = re.match(rb"HTTP/1\.[01] (\d{3}) ", answer)
    return int(found.group(1)) if found else None


def test_garbage_requests_get_answers_and_no_tracebacks(server: Server) -> None:
    bad_origin = (_UPGRADE + f"Origin: http://127.0.0.1:{server.port}.evil.example\r\n\r\n").encode()

    async def attack() -> tuple[list[bytes], bytes, int, str, int]:
        answers = await asyncio.gather(*(_send_raw(server.port, data) for data in _malformed()))
        refused = await _send_raw(server.port, bad_origin)
        import aiohttp

        async with aiohttp.ClientSession() as http:
            async with http.get(server.url + "/") as page:
                status, text = page.status, await page.text()
            async with http.get(server.url + "/static/") as listing:
                listed = listing.status
        return answers, refused, status, text, listed

    log_before = server.text()
    answers, refused, status, page, listed = asyncio.run(asyncio.wait_for(attack(), 20))
    assert _status(refused) == 403, refused[:200]  # not 500: a port that is not a number is just a foreign page
    assert b"not from another page" in refused
    assert status == 200 and "js/textual.js" in page  # the server still serves
    assert listed in (403, 404)  # /static/ lists no folder
    assert all(_status(a) != 500 for a in answers), [a[:40] for a in answers if _status(a) == 500]
    text = server.stop(server.process)
    assert "Traceback" not in text and "\x1b" not in text
    lines = text[len(log_before) :].splitlines()
    assert len(lines) <= 6, lines  # the refused page's line, the shut-down, and perhaps a note or two
    assert all(len(line) <= 310 for line in lines)
    assert any("refused a session for a page from" in line for line in lines)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:18801.evil.example",
        "http://127.0.0.1:99999",
        "http://127.0.0.1:-1",
        "http://[::1",
        "http://[not an address]:80",
        "http://x:8000:9000",
    ],
)
def test_a_broken_origin_is_no_origin(url: str) -> None:
    assert _origin(url) == ""
    assert _origin(url) not in allowed_origins("127.0.0.1", 18801, "http://127.0.0.1:18801")


def test_origins_are_compared_as_browsers_send_them() -> None:
    assert _origin("HTTP://LocalHost:8000/path?q") == "http://localhost:8000"
    assert _origin("https://kurs.example.se:443") == "https://kurs.example.se"
    assert _origin("http://[::1]:8000") == "http://[::1]:8000"
    assert _origin("null") not in allowed_origins("127.0.0.1", 8000, "http://127.0.0.1:8000")


def test_a_public_url_with_a_broken_port_is_refused(tmp_path: Path) -> None:
    # Its origin would be "", the origin of every broken Origin header: all of them would be let in.
    with pytest.raises(UsageError, match="--public-url") as caught:
        prepare(REPO, tmp_path / "d", probe_port=False, public_url="http://kurs.example.se:abc")
    assert str(caught.value).count(". ") == 0


def test_one_line_makes_request_text_inert_and_short() -> None:
    from course.web.server import one_line

    line = one_line("GET /\x1b]0;pwned\x07\nnext line\tand\r" + "x" * 1000)
    assert "\x1b" not in line and "\x07" not in line and "\n" not in line and "\r" not in line
    assert "␛]0;pwned␇" in line and len(line) <= 300 and line.endswith("…")


def test_a_crashed_sessions_traceback_is_one_line() -> None:
    from course.web.server import SessionErrors

    said = SessionErrors()
    shown = [
        said.line("tillit serve: this session's data folder is /x/sessions/20261207-101010-abc\n"),
        said.line("\x1b[31mred\x1b[0m and \x1b]0;title\x07\n"),
        said.line("╭──────── Traceback (most recent call last) ────────╮\n"),
        said.line("│ /site-packages/textual/app.py:123 in run          │\n"),
        said.line("╰───────────────────────────────────────────────────╯\n"),
        said.line("NoMatches: No nodes match 'HeaderTitle' on Header()\n"),
        said.line("NOTE: 1 of 4 errors shown. Run with textual run --dev to see all errors.\n"),
        said.line("sys:1: RuntimeWarning: coroutine 'set_title' was never awaited\n"),
    ]
    assert shown[0] == "tillit serve: this session's data folder is /x/sessions/20261207-101010-abc"
    assert shown[1] == "red and"
    assert shown[2:] == [None] * 6
    assert said.end() == ["a session's app stopped with an error: NoMatches: No nodes match 'HeaderTitle' on Header()"]

    plain = SessionErrors()
    for line in ("Traceback (most recent call last):", '  File "x.py", line 1, in <module>', "KeyError: 'k'"):
        assert plain.line(line) is None
    assert plain.end() == ["a session's app stopped with an error: KeyError: 'k'"]

    chatty = SessionErrors()
    shown = [chatty.line(f"line {n}\n") for n in range(SessionErrors.SHOWN + 5)]
    assert shown.count(None) == 5 and chatty.end() == [
        "(5 more lines from that session's standard error were left out)"
    ]


def test_refusals_are_logged_once_in_a_while_with_a_count(capsys: pytest.CaptureFixture[str]) -> None:
    from course.web.server import Repeats

    now = [100.0]
    repeats = Repeats(10, clock=lambda: now[0])
    for step in range(25):  # one refusal every 0.5 s for 12.5 s
        repeats.say("room full", f"refused {step}")
        now[0] += 0.5
    repeats.say("refused page", "refused a page")
    repeats.flush()
    lines = [line.split(" ", 1)[1] for line in capsys.readouterr().out.splitlines()]
    assert lines == [
        "refused 0",
        "refused 20 (and 19 more like it since the last such line)",
        "refused a page",
        "(4 more like the last 'room full' line were left out)",
    ]


# --- B6: the cap counts processes; folders where nothing was written go ------------------------------------


class Sampler(threading.Thread):
    """Counts the server's live session processes every few milliseconds; `most` is the highest count."""

    def __init__(self, server: Server) -> None:
        super().__init__(daemon=True)
        self.server, self.most, self.done = server, 0, threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            self.most = max(self.most, len(self.server.children()))
            self.done.wait(0.01)  # a sampling interval, ended at once by stop()


async def _open(http: Any, server: Server, **headers: str) -> Any:
    """A websocket as textual.js opens it: the page's own origin, the terminal's size in the query."""
    headers.setdefault("Origin", server.url)
    ws = await http.ws_connect(f"{server.url.replace('http', 'ws')}/ws?width=100&height=30", headers=headers)
    with contextlib.suppress(ConnectionError):  # a refused one may be closing already
        await ws.send_str(json.dumps(["resize", {"width": 100, "height": 30}]))
    return ws


async def _until_output(ws: Any, seconds: float = 20) -> None:
    """Wait until the session's app has drawn something (its first screen)."""
    import aiohttp

    got = b""
    end = time.monotonic() + seconds
    while b"Tillit" not in got and b"Trust" not in got:
        message = await ws.receive(timeout=max(0.1, end - time.monotonic()))
        assert message.type in (aiohttp.WSMsgType.BINARY, aiohttp.WSMsgType.TEXT), message
        if message.type == aiohttp.WSMsgType.BINARY:
            got += message.data


async def _refused(ws: Any) -> tuple[list[Any], int | None]:
    import aiohttp

    said = [json.loads(m.data) async for m in ws if m.type == aiohttp.WSMsgType.TEXT]
    return said, ws.close_code


def test_the_cap_counts_processes_and_empty_folders_go(server: Server) -> None:
    import aiohttp

    sampler = Sampler(server)

    async def scenario() -> None:
        async with aiohttp.ClientSession() as http:
            first, second = await _open(http, server), await _open(http, server)
            await asyncio.gather(_until_output(first), _until_output(second))
            assert len(server.children()) == 2 and len(server.folders()) == 2
            kept = server.folders()[0]
            (kept / "share-Ann.toml").write_text("what Ann chose to share\n")  # the participant wrote something

            # Past the cap: the browser is sent to the room-full page, and the page itself says so.
            said, code = await _refused(await _open(http, server, **{"Accept-Language": "en"}))
            assert said == [["open_url", {"url": f"{server.url}/full", "new_tab": False}]] and code == 1013
            async with http.get(server.url + "/", headers={"Accept-Language": "en-GB"}) as page:
                assert page.status == 503 and "The room is full" in await page.text()
            async with http.get(server.url + "/full", headers={"Accept-Language": "sv"}) as page:
                assert page.status == 503 and "Rummet är fullt" in await page.text()
            assert len(server.folders()) == 2  # a refused browser makes no folder

            await first.close()
            await second.close()
            # Churn: open and close at once, again and again, some connections only dropped, each as soon
            # as the server takes one; the ending sessions still hold their places until they have exited.
            # A bound for a stuck server, not a speed claim: on a loaded machine sessions start and end slowly.
            taken, end = 0, time.monotonic() + 30
            while taken < 4 and time.monotonic() < end:
                ws = await _open(http, server)
                try:
                    first_word = await ws.receive(timeout=0.2)
                except TimeoutError:
                    first_word = None
                if first_word is not None and first_word.type == aiohttp.WSMsgType.TEXT:  # the room is full
                    await ws.close()
                    await asyncio.sleep(0.05)
                    continue
                taken += 1
                if taken % 2:
                    await ws.close()
                else:  # gone without a goodbye
                    transport = ws._response.connection and ws._response.connection.transport
                    assert transport is not None
                    transport.abort()
            assert taken == 4, f"only {taken} sessions were started while churning"

    sampler.start()
    try:
        asyncio.run(asyncio.wait_for(scenario(), 60))
        Server.wait(lambda: not server.children(), 20, f"session processes still alive: {server.children()}")
        Server.wait(lambda: server.text().rstrip().endswith("(0 running)"), 10, server.text()[-2000:])
    finally:  # a failing scenario must not leave the sampler polling /proc for the rest of the run
        sampler.done.set()
        sampler.join()
    assert 0 < sampler.most <= 2, f"{sampler.most} session processes were alive at once, with a cap of 2"
    folders = server.folders()
    assert len(folders) == 1 and (folders[0] / "share-Ann.toml").read_text() == "what Ann chose to share\n"
    text = server.stop(server.process)
    assert "Traceback" not in text
    assert "refused a session from 127.0.0.1: 2 are running already" in text
    assert text.count("refused a session from") < 5  # said once in a while, with a count, not once a request
    assert "a session's app stopped with an error" not in text or "NoMatches" in text  # Textual's own race


def _state_only(folder: Path) -> Path:
    """A session's folder as the app leaves it when the participant wrote nothing."""
    folder.mkdir(parents=True, mode=0o700)
    for name in ("tillit-data.toml", ".lock", ".writer.lock", "progress.toml", "share-id.toml"):
        (folder / name).write_text("x")
    (folder / ".progress.toml.a1b2.tmp").write_text("half")
    (folder / "attempts").mkdir()
    (folder / "attempts" / "quiz.toml").write_text("x")
    (folder / "journal" / "lesson-1").mkdir(parents=True)  # an empty journal: nothing in it
    return folder


def test_tidy_session_keeps_a_folder_only_when_the_participant_wrote_something(tmp_path: Path) -> None:
    from course.web.session import learner_work, tidy_session

    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "precious.txt").write_text("keep")

    empty = _state_only(tmp_path / "empty")
    (empty / "backups" / "daily").mkdir(parents=True)
    (empty / "backups" / "daily" / "progress.toml").write_text("x")
    assert learner_work(empty) is None and tidy_session(empty) and not empty.exists()

    for work in ("journal/lesson-1/r1.toml", "commitments/c1.toml", "share-Ann.toml", "export.md", "quarantine/x"):
        folder = _state_only(tmp_path / work.replace("/", "_"))
        (folder / work).parent.mkdir(parents=True, exist_ok=True)
        (folder / work).write_text("mine")
        assert learner_work(folder) == folder / work
        assert not tidy_session(folder) and (folder / work).read_text() == "mine"

    linked = _state_only(tmp_path / "linked")
    (linked / "journal" / "lesson-1" / "away").symlink_to(outside)
    assert not tidy_session(linked)  # a link counts as work: it is never removed blind, nor followed
    assert (outside / "precious.txt").read_text() == "keep"
    assert not tidy_session(tmp_path / "missing")  # a folder that cannot be read is never removed


def test_sweep_sessions_removes_only_ended_sessions_where_nothing_was_written(tmp_path: Path) -> None:
    from course.web.session import sweep_sessions

    root = tmp_path / "root"
    sessions = sessions_dir(root)
    never_used = new_session_dir(root)
    ended = [_state_only(sessions / f"20261207-10100{n}-{'e' * 15}{n}") for n in range(3)]
    wrote = _state_only(sessions / f"20261207-101098-{'w' * 16}")
    (wrote / "journal" / "lesson-1" / "r.toml").write_text("mine")
    shared = _state_only(sessions / f"20261207-101097-{'s' * 16}")
    (shared / "share-Ann.toml").write_text("mine")
    alive = _state_only(sessions / f"20261207-101099-{'l' * 16}")
    (tmp_path / "elsewhere").mkdir()
    strangers = [sessions / "notes", sessions / f"20261207-101096-{'x' * 16}", sessions / "20261207-101095-short"]
    strangers[0].mkdir()
    strangers[1].symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    strangers[2].mkdir()
    (sessions / ".serve.lock").write_text("")

    held = os.open(alive / ".writer.lock", os.O_RDWR)
    try:
        fcntl.flock(held, fcntl.LOCK_EX)  # a running app holds its folder's writer lock
        assert sweep_sessions(root) == (1 + len(ended), 2)
    finally:
        os.close(held)
    left = {p.name for p in sessions.iterdir()}
    assert left == {wrote.name, shared.name, alive.name, ".serve.lock", *(p.name for p in strangers)}
    assert not never_used.exists()
    assert (tmp_path / "elsewhere").is_dir()
    assert sweep_sessions(tmp_path / "no root") == (0, 0)


def test_a_session_takes_only_a_fresh_folder_the_server_made(tmp_path: Path) -> None:
    from course.errors import StorageError
    from course.web.session import given_session_dir

    root = tmp_path / "root"
    fresh = new_session_dir(root)
    assert given_session_dir(root, fresh.name) == fresh
    (fresh / "progress.toml").write_text("x")
    for name in (fresh.name, "../../etc", "--trainer", "20261207-101010-short", ""):
        with pytest.raises(StorageError) as caught:
            given_session_dir(root, name)
        assert "\n" not in str(caught.value)


def test_one_server_per_data_root(tmp_path: Path) -> None:
    from course.web.serve import hold_root

    plan = prepare(REPO, tmp_path / "d", port=_free_port())
    held = hold_root(plan)
    try:
        with pytest.raises(UsageError, match="Another tillit serve is using the data folder"):
            hold_root(plan)
    finally:
        if held is not None:
            os.close(held)
    again = hold_root(plan)
    if again is not None:
        os.close(again)


# --- B7: a session reads only its own folder and the program ------------------------------------------------

_CONFINED = """
import os, sys
from pathlib import Path
from course.web.session import confine, program_files
top, trainer = Path(sys.argv[1]), sys.argv[2] == "trainer"
root, mine, theirs = top / "root", top / "root" / "sessions" / "mine", top / "root" / "sessions" / "theirs"
os.chdir(mine)
confine(mine, root, None if trainer else program_files(Path(sys.argv[3]), root, str(top)))
results = {}
attempts = {
    "own folder": lambda: (mine / "share-Ann.toml").read_text() and os.listdir(mine) and os.listdir(),
    "the course": lambda: (Path(sys.argv[3]) / "lessons" / "course.toml").read_text(),
    "a late import": lambda: __import__("email.mime.text"),
    "a share file elsewhere": lambda: (top / "shares" / "share-Bo.toml").read_text(),
    "a folder elsewhere": lambda: os.listdir(top / "shares"),
    "/etc": lambda: os.listdir("/etc"),
    "/etc/passwd": lambda: open("/etc/passwd").read(),
    "a link out": lambda: (mine / "out" / "share-Bo.toml").read_text(),
    "another session": lambda: (theirs / "progress.toml").read_text(),
    "the sessions": lambda: os.listdir(root / "sessions"),
}
for name, attempt in attempts.items():
    try:
        attempt()
        results[name] = "read"
    except PermissionError as err:
        results[name] = "refused: " + str(err)
print(__import__("json").dumps(results))
"""


def _confined(tmp_path: Path, who: str) -> dict[str, str]:
    mine, theirs = tmp_path / "root" / "sessions" / "mine", tmp_path / "root" / "sessions" / "theirs"
    if not mine.exists():
        mine.mkdir(parents=True)
        theirs.mkdir()
        (mine / "share-Ann.toml").write_text("mine")
        (theirs / "progress.toml").write_text("secret")
        (tmp_path / "shares").mkdir()
        (tmp_path / "shares" / "share-Bo.toml").write_text("another group's")
        (mine / "out").symlink_to(tmp_path / "shares")
    done = subprocess.run(
        [sys.executable, "-c", _CONFINED, str(tmp_path), who, str(REPO)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,  # not the checkout: a session's start folder is left out of what it may read
        env=dict(os.environ, PYTHONPATH=str(REPO)),  # so the code under test is this checkout's
    )
    assert done.returncode == 0, done.stderr
    results: dict[str, str] = json.loads(done.stdout)
    return results


def test_a_session_reads_only_its_folder_and_the_program(tmp_path: Path) -> None:
    results = _confined(tmp_path, "participant")
    readable = {"own folder", "the course", "a late import"}
    for name, result in results.items():
        if name in readable:
            assert result == "read", name
        else:
            assert result.startswith("refused: ") and "tillit serve" in result, (name, result)
    assert "can read only its own folder" in results["a share file elsewhere"]
    assert "other sessions' folders" in results["another session"]


def test_the_trainers_session_reads_elsewhere_but_never_other_sessions(tmp_path: Path) -> None:
    results = _confined(tmp_path, "trainer")
    for name in ("own folder", "the course", "a share file elsewhere", "a folder elsewhere", "/etc", "a link out"):
        assert results[name] == "read", (name, results[name])
    assert results["another session"].startswith("refused: ")
    assert results["the sessions"].startswith("refused: ")


def test_trainer_mode_is_for_this_computer_alone(tmp_path: Path) -> None:
    for kwargs in (
        {"host": "0.0.0.0", "allow_network": True},
        {"host": "192.168.1.10", "allow_network": True},
        {"public_url": "https://kurs.example.se"},
    ):
        with pytest.raises(UsageError, match="--trainer") as caught:
            prepare(REPO, tmp_path / "d", probe_port=False, trainer=True, **kwargs)
        message = str(caught.value)
        assert message.endswith(".") and message.count(". ") == 0  # one sentence
    assert not (tmp_path / "d").exists()  # refused before anything was made
    plan = prepare(REPO, tmp_path / "d", probe_port=False, trainer=True, public_url="http://localhost:8000")
    assert plan.trainer and plan.argv[-1] == "--trainer" and "Trainer mode" in plan.intro


def test_a_folder_that_is_not_tillits_is_refused_and_left_untouched(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir(mode=0o755)
    home.chmod(0o755)
    (home / "thesis.docx").write_text("years of work")
    before = sorted((p.name, p.stat().st_mode) for p in home.iterdir()), home.stat().st_mode
    with pytest.raises(NotDataFolderError) as caught:
        prepare(REPO, home, probe_port=False)
    assert "thesis.docx" in str(caught.value) and "\n" not in str(caught.value)
    assert (sorted((p.name, p.stat().st_mode) for p in home.iterdir()), home.stat().st_mode) == before
