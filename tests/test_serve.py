"""`tillit serve`: the session command, the host and port checks, private session folders, and a real browser."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import shlex
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from course.errors import ContentError, UsageError
from course.web import serve as serve_mod
from course.web.serve import (
    allowed_origins,
    check_port,
    command_line,
    is_loopback,
    prepare,
    public_url_for,
    serve,
    session_argv,
)
from course.web.server import one_line
from course.web.session import new_session_dir, sessions_dir

from .conftest import REPO

NASTY = 'it\'s a "course" $(touch PWNED) `touch PWNED2`; touch PWNED3 & $HOME\\n *'


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --- the command every browser session runs ------------------------------------------------------------


def test_the_shell_gets_back_exactly_the_words_we_gave(tmp_path: Path) -> None:
    # textual-serve runs its command with asyncio.create_subprocess_shell, i.e. /bin/sh -c.
    words = [NASTY, "with space", "'", '"', "$(id)", "--course=x y", "-n", "ünïcødé", "a\nb"]
    argv = [sys.executable, "-c", "import json, sys; print(json.dumps(sys.argv[1:]))", *words]
    line = command_line(argv)
    assert line.startswith("exec ")
    assert shlex.split(line.removeprefix("exec ")) == argv
    done = subprocess.run(line, shell=True, cwd=tmp_path, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == words
    assert not list(tmp_path.glob("PWNED*"))


def test_the_session_command_names_only_our_paths(tmp_path: Path) -> None:
    course_dir, root = tmp_path / f"course {NASTY}", tmp_path / f"data {NASTY}"
    argv = session_argv(course_dir, root, "sv")
    assert argv == [
        sys.executable,
        "-m",
        "course.web.session",
        f"--course={course_dir}",
        f"--root={root}",
        "--lang=sv",
    ]
    assert "--lang" not in " ".join(session_argv(course_dir, root))


def test_a_session_command_with_nasty_paths_runs_through_the_shell(tmp_path: Path) -> None:
    root = tmp_path / f"data {NASTY}"
    line = command_line(session_argv(REPO, root)) + " --dry-run"
    done = subprocess.run(line, shell=True, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    folder = Path(done.stdout.strip())
    assert folder.parent == sessions_dir(root) and folder.is_dir()
    assert not list(tmp_path.rglob("PWNED*"))


def test_prepare_builds_a_fixed_command_with_absolute_paths(tmp_path: Path) -> None:
    plan = prepare(REPO, tmp_path / "root", port=_free_port(), lang="en")
    argv = shlex.split(plan.command.removeprefix("exec "))
    assert argv[:3] == [sys.executable, "-m", "course.web.session"]
    assert argv[3:] == [f"--course={REPO.resolve()}", f"--root={(tmp_path / 'root').resolve()}", "--lang=en"]
    assert _mode(tmp_path / "root") == 0o700 and _mode(tmp_path / "root" / "sessions") == 0o700


# --- hosts, ports, texts ---------------------------------------------------------------------------------


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost", "LOCALHOST"])
def test_loopback_hosts(host: str) -> None:
    assert is_loopback(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "", "192.168.1.10", "10.0.0.1", "2001:db8::1"])
def test_network_hosts(host: str) -> None:
    assert not is_loopback(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "::"])
def test_a_network_host_is_refused_without_allow_network(tmp_path: Path, host: str) -> None:
    with pytest.raises(UsageError, match="--host") as caught:
        prepare(REPO, tmp_path / "d", host=host, probe_port=False)
    message = str(caught.value)
    assert message.endswith(".") and ". " not in message and "network" in message  # one sentence
    with pytest.raises(UsageError):
        serve(REPO, tmp_path / "d", host=host)  # refused before anything starts


def test_a_network_host_with_allow_network_warns_plainly(tmp_path: Path) -> None:
    plan = prepare(REPO, tmp_path / "d", host="0.0.0.0", port=8123, probe_port=False, allow_network=True)
    assert plan.network and plan.warning is not None
    warning = " ".join(plan.warning.split())
    assert warning.startswith("WARNING")
    assert "Anyone who can reach this port can open the app" in warning
    assert "own empty data folder" in warning
    assert "password" in warning
    assert plan.url.startswith("http://") and plan.url.endswith(":8123")
    assert "0.0.0.0" not in plan.url  # a browser elsewhere could not use that


def test_loopback_needs_no_warning_and_says_where_and_what(tmp_path: Path) -> None:
    port = _free_port()
    plan = prepare(REPO, tmp_path / "d", port=port)
    assert not plan.network and plan.warning is None
    assert plan.url == f"http://127.0.0.1:{port}"
    intro = " ".join(plan.intro.split())
    assert plan.url in intro
    assert str((tmp_path / "d" / "sessions").resolve()) in intro
    assert "Reloading the page starts a NEW, empty session" in intro
    assert "unless the participant wrote something there" in intro
    assert "stays on this computer" in intro


def test_public_url_is_used_as_given(tmp_path: Path) -> None:
    plan = prepare(REPO, tmp_path / "d", port=_free_port(), public_url="https://kurs.example.se/")
    assert plan.url == "https://kurs.example.se"
    assert "https://kurs.example.se" in plan.origins
    with pytest.raises(UsageError, match="public-url"):
        prepare(REPO, tmp_path / "d", probe_port=False, public_url="kurs.example.se")


def test_ipv6_urls_are_bracketed() -> None:
    assert public_url_for("::1", 8000) == "http://[::1]:8000"


def test_a_port_in_use_is_one_clear_sentence(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = int(taken.getsockname()[1])
        with pytest.raises(UsageError) as caught:
            check_port("127.0.0.1", port)
        assert str(caught.value) == f"port {port} is in use; choose another with --port"
        with pytest.raises(UsageError, match="is in use"):
            serve(REPO, tmp_path / "d", port=port)


def test_bad_port_numbers_are_refused() -> None:
    for port in (0, 70000):
        with pytest.raises(UsageError, match="--port"):
            check_port("127.0.0.1", port)


def test_a_broken_course_is_refused_before_starting(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(ContentError):
        prepare(tmp_path / "empty", tmp_path / "d", probe_port=False)


def test_a_bad_language_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="--lang"):
        prepare(REPO, tmp_path / "d", probe_port=False, lang="de")


def test_only_this_servers_own_pages_may_open_sessions() -> None:
    origins = allowed_origins("127.0.0.1", 8000, "http://127.0.0.1:8000")
    assert {"http://127.0.0.1:8000", "http://localhost:8000", "http://[::1]:8000"} <= origins
    assert serve_mod._origin("HTTP://LocalHost:8000/") in origins
    assert "http://evil.example" not in origins
    assert "http://localhost:8001" not in origins
    lan = allowed_origins("0.0.0.0", 80, "http://192.168.1.5")
    assert "http://192.168.1.5" in lan


def test_importing_serve_loads_no_web_or_ui_code() -> None:
    code = (
        "import sys, course.web.serve, course.web.session\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual_serve', 'aiohttp', 'rich', 'textual'))\n"
        "assert not bad, bad[:5]\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


# --- one private folder per session ------------------------------------------------------------------------


def test_every_session_gets_a_new_private_folder(tmp_path: Path) -> None:
    root = tmp_path / "root"
    folders = []
    for _ in range(2):
        done = subprocess.run(
            [sys.executable, "-m", "course.web.session", f"--course={REPO}", f"--root={root}", "--dry-run"],
            capture_output=True,
            text=True,
            timeout=60,
            preexec_fn=lambda: os.umask(0),  # even a careless umask gives 0700
        )
        assert done.returncode == 0, done.stderr
        folders.append(Path(done.stdout.strip()))
    assert folders[0] != folders[1]
    for folder in folders:
        assert folder.parent == root / "sessions"
        assert _mode(folder) == 0o700 and not any(folder.iterdir())
    assert _mode(root) == 0o700 and _mode(root / "sessions") == 0o700


def test_session_names_are_random_and_never_look_like_options(tmp_path: Path) -> None:
    names = {new_session_dir(tmp_path).name for _ in range(50)}
    assert len(names) == 50
    for name in names:  # YYYYMMDD-HHMMSS-<16 random characters>
        assert name[:8].isdigit() and name[8] == "-" and name[9:15].isdigit() and name[15] == "-"
        assert len(name[16:]) == 16


def test_a_session_cannot_write_outside_its_folder_nor_look_into_others(tmp_path: Path) -> None:
    sessions = tmp_path / "root" / "sessions"
    (sessions / "mine").mkdir(parents=True)
    (sessions / "theirs").mkdir()
    (sessions / "theirs" / "progress.toml").write_text("secret")
    (tmp_path / "README").write_text("keep me")
    code = """
import os, sys, tempfile
from pathlib import Path
from course.web.session import confine
top = Path(sys.argv[1])
root, mine, theirs = top / "root", top / "root" / "sessions" / "mine", top / "root" / "sessions" / "theirs"
confine(mine, root)
os.chdir(mine)
(mine / "ok.txt").write_text("fine")
os.replace(mine / "ok.txt", mine / "ok2.txt")
tempfile.mkstemp(dir=mine)
assert sorted(os.listdir(mine))[:1] == ["ok2.txt"] and os.listdir() == os.listdir(mine)
assert (top / "README").read_text() == "keep me"  # reading elsewhere is not restricted
os.symlink(top / "target", mine / "link")  # a link may be made, but not written through
os.symlink(theirs, mine / "peek")
assert list((root / "sessions").glob("*/*")) == []  # pathlib's glob swallows the refusal: it sees nothing
attempts = {
    "open": lambda: open(top / "a.txt", "w"),
    "os.open": lambda: os.open(top / "b", os.O_WRONLY | os.O_CREAT),
    "replace": lambda: os.replace(mine / "ok2.txt", top / "moved"),
    "mkstemp": lambda: tempfile.mkstemp(dir=top),
    "mkdir": lambda: os.mkdir(top / "dir"),
    "remove": lambda: os.remove(top / "README"),
    "write through a link": lambda: open(mine / "link", "w"),
    "dotdot": lambda: open(mine / ".." / "c.txt", "a"),
    "read another session": lambda: open(theirs / "progress.toml").read(),
    "read through a link": lambda: open(mine / "peek" / "progress.toml").read(),
    "list the sessions": lambda: os.listdir(root / "sessions"),
    "scan the root": lambda: list(os.scandir(root)),
}
for name, attempt in attempts.items():
    try:
        attempt()
    except PermissionError:
        continue
    sys.exit(f"{name} was allowed")
"""
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr + done.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["README", "root"]
    assert (tmp_path / "README").read_text() == "keep me"


def test_a_session_keeps_what_was_typed_when_its_browser_goes_away(tmp_path: Path) -> None:
    # textual-serve tells a session's app to quit (a "quit" meta packet) when its browser closes or the
    # server stops; a reflection typed just before must still be saved. This speaks the same protocol.
    env = dict(os.environ, TEXTUAL_DRIVER="textual.drivers.web_driver:WebDriver", COLUMNS="100", ROWS="30")
    argv = [sys.executable, "-m", "course.web.session", f"--course={REPO}", f"--root={tmp_path}"]
    seen = bytearray()

    def packet(kind: bytes, payload: bytes) -> bytes:
        return kind + len(payload).to_bytes(4, "big") + payload

    def wait_for(text: str, proc: subprocess.Popen[bytes], seconds: float = 20) -> None:
        assert proc.stdout is not None
        end = time.monotonic() + seconds
        while text.encode() not in seen:
            assert time.monotonic() < end, f"{text!r} never appeared"
            chunk = os.read(proc.stdout.fileno(), 65536)
            assert chunk, "the session ended early"
            seen.extend(chunk)

    with _process_group(argv, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        assert proc.stdin is not None
        wait_for(TITLE, proc)
        proc.stdin.write(packet(b"D", b"w"))
        proc.stdin.flush()
        wait_for("Prompt 1 of", proc)
        proc.stdin.write(packet(b"D", b"Typed just before closing"))
        proc.stdin.flush()
        wait_for("closing", proc)
        proc.stdin.write(packet(b"M", json.dumps({"type": "quit"}).encode()))
        proc.stdin.flush()
        threading.Thread(target=lambda: proc.stdout and proc.stdout.read(), daemon=True).start()
        assert proc.wait(timeout=20) == 0
    saved = [f for f in (tmp_path / "sessions").rglob("*.toml") if "Typed just before closing" in f.read_text()]
    assert len(saved) == 1 and saved[0].parent.parent.name == "journal"


# --- the real thing: a server, a headless Chromium, the app in the page ------------------------------------

SERVER = (
    "import sys\n"
    "from pathlib import Path\n"
    "from course.web.serve import serve\n"
    "cap = int(sys.argv[4]) if len(sys.argv) > 4 else 60\n"
    "serve(Path(sys.argv[1]), Path(sys.argv[2]), port=int(sys.argv[3]), max_sessions=cap)\n"
)

# Runs before textual.js: the first object that gets a `terminal` holding an xterm Terminal (textual.js's
# own TextualTerminal) hands it to window.__tillitTerminal, so the test can read what xterm shows.
CATCH_TERMINAL = """
Object.defineProperty(Object.prototype, "terminal", {
  configurable: true,
  set(value) {
    Object.defineProperty(this, "terminal", {value, writable: true, configurable: true, enumerable: true});
    if (value && typeof value.write === "function" && value.buffer && !window.__tillitTerminal) {
      window.__tillitTerminal = value;
    }
  },
});
"""
READ_TERMINAL = """
(() => {
  const term = window.__tillitTerminal;
  if (!term) return "";
  const buffer = term.buffer.active, lines = [];
  for (let i = 0; i < buffer.length; i++) lines.push(buffer.getLine(i)?.translateToString(true) ?? "");
  return lines.join("\\n");
})()
"""
TITLE = "Trust-based governance and leadership"  # the course title; the test environment is English


@contextlib.contextmanager
def _process_group(argv: list[str], **kwargs: Any) -> Iterator[subprocess.Popen[bytes]]:
    """Start argv in its own process group; kill the whole group on the way out, whatever happened."""
    proc = subprocess.Popen(argv, start_new_session=True, **kwargs)
    try:
        yield proc
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def _wait_for_port(port: int, server: subprocess.Popen[bytes], log: Path, deadline: float) -> None:
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"tillit serve stopped at once:\n{log.read_text(errors='replace')}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    pytest.fail(f"tillit serve did not listen on {port}:\n{log.read_text(errors='replace')}")


class DevTools:
    """Just enough of the Chrome DevTools Protocol: call a method, wait for its answer."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.next_id = 0

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        wanted = self.next_id
        await self.ws.send_json({"id": wanted, "method": method, "params": params})
        while True:
            message = await self.ws.receive_json()
            if message.get("id") == wanted:
                if "error" in message:
                    raise AssertionError(f"{method}: {message['error']}")
                result: dict[str, Any] = message["result"]
                return result

    async def terminal_text(self) -> str:
        answer = await self.call("Runtime.evaluate", expression=READ_TERMINAL, returnByValue=True)
        return str(answer["result"].get("value") or "")

    async def wait_for_text(self, text: str, seconds: float) -> str:
        shown = ""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            shown = await self.terminal_text()
            if text in shown:
                return shown
            await asyncio.sleep(0.2)
        raise AssertionError(f"{text!r} never appeared in the page's terminal; it showed:\n{shown}")


def _session_folders(sessions: Path) -> list[Path]:
    return sorted(p for p in sessions.iterdir() if p.is_dir())


async def _only_folder(sessions: Path, not_this: Path | None, seconds: float) -> Path:
    """Wait until the sessions folder holds exactly one session folder, other than `not_this`."""
    end = time.monotonic() + seconds
    while True:
        folders = _session_folders(sessions)
        if len(folders) == 1 and folders[0] != not_this:
            return folders[0]
        assert time.monotonic() < end, f"the session folders are {folders}"
        await asyncio.sleep(0.1)


async def _browse(devtools_port: int, url: str, sessions: Path, shot: Path) -> tuple[list[str], list[Path]]:
    import aiohttp

    async with aiohttp.ClientSession() as http:
        async with http.get(f"http://127.0.0.1:{devtools_port}/json/list") as answer:
            targets = await answer.json()
        page = next(t for t in targets if t["type"] == "page")
        async with http.ws_connect(page["webSocketDebuggerUrl"], max_msg_size=0) as ws:
            tools = DevTools(ws)
            await tools.call("Page.enable")
            await tools.call("Page.addScriptToEvaluateOnNewDocument", source=CATCH_TERMINAL)
            screens: list[str] = []
            folders: list[Path] = []
            for visit in (1, 2):  # the second visit is a reload: a new session, a new folder
                await tools.call("Page.navigate", url=url)
                screens.append(await tools.wait_for_text(TITLE, 25))
                # One folder per session; the reloaded session's folder, where nothing was written, is gone.
                folders.append(await _only_folder(sessions, folders[-1] if folders else None, 10))
                assert _mode(folders[-1]) == 0o700
                assert (folders[-1] / ".writer.lock").exists()  # the app really runs on this folder
                if visit == 1:
                    picture = await tools.call("Page.captureScreenshot", format="png")
                    shot.write_bytes(base64.b64decode(picture["data"]))

        # A page from another site must not be able to start (and drive) a session.
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await http.ws_connect(url.replace("http", "ws") + "/ws", headers={"Origin": "http://evil.example"})
        assert refused.value.status == 403
        async with http.get(url) as index:
            assert "fonts.googleapis.com" not in await index.text()
    return screens, folders


def _devtools_port(profile: Path, browser: subprocess.Popen[bytes], deadline: float) -> int:
    marker = profile / "DevToolsActivePort"
    while time.monotonic() < deadline:
        if browser.poll() is not None:
            pytest.fail("chromium stopped before it opened its DevTools port")
        with contextlib.suppress(OSError, ValueError, IndexError):
            return int(marker.read_text().split()[0])
        time.sleep(0.05)
    pytest.fail("chromium did not open its DevTools port")


def test_the_server_refuses_sessions_beyond_its_cap(tmp_path: Path) -> None:
    import aiohttp

    port, log = _free_port(), tmp_path / "server.log"

    async def knock() -> tuple[int, str, list[Any], int | None]:
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{port}/", headers={"Accept-Language": "sv-SE,sv"}) as page:
                status, text = page.status, await page.text()
            # The websocket is taken, told where the room-full page is (textual.js opens it) and closed.
            async with http.ws_connect(f"ws://127.0.0.1:{port}/ws?width=80&height=24") as ws:
                said = [json.loads(m.data) async for m in ws if m.type == aiohttp.WSMsgType.TEXT]
                return status, text, said, ws.close_code

    with (
        log.open("wb") as out,
        _process_group(
            [sys.executable, "-c", SERVER, str(REPO), str(tmp_path / "root"), str(port), "0"],
            stdout=out,
            stderr=subprocess.STDOUT,
        ) as server,
    ):
        _wait_for_port(port, server, log, time.monotonic() + 30)
        status, text, said, code = asyncio.run(asyncio.wait_for(knock(), 20))
    assert status == 503 and "Rummet är fullt" in text
    assert said == [["open_url", {"url": f"http://127.0.0.1:{port}/full", "new_tab": False}]]
    assert code == 1013  # try again later
    assert _session_folders(tmp_path / "root" / "sessions") == []  # no session was started


@pytest.mark.skipif(shutil.which("chromium") is None, reason="needs a `chromium` executable for the browser test")
def test_a_browser_gets_the_app_in_its_own_folder(tmp_path: Path) -> None:
    chromium = shutil.which("chromium")
    assert chromium is not None
    port = _free_port()
    root = tmp_path / "data root with space"
    log = tmp_path / "server.log"
    deadline = time.monotonic() + 50
    with (
        log.open("wb") as log_file,
        _process_group(
            [sys.executable, "-c", SERVER, str(REPO), str(root), str(port)], stdout=log_file, stderr=subprocess.STDOUT
        ) as server,
    ):
        _wait_for_port(port, server, log, deadline)
        with (
            tempfile.TemporaryDirectory() as profile,
            _process_group(
                [
                    chromium,
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--no-first-run",
                    f"--user-data-dir={profile}",
                    "--remote-debugging-port=0",
                    "--window-size=1200,800",
                    "about:blank",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            ) as browser,
        ):
            devtools = _devtools_port(Path(profile), browser, deadline)
            url = f"http://127.0.0.1:{port}"
            shot = tmp_path / "tillit.png"
            screens, folders = asyncio.run(
                asyncio.wait_for(_browse(devtools, url, root / "sessions", shot), deadline - time.monotonic())
            )
        for screen in screens:
            assert "What characterises a trust culture?" in screen  # the course map, not an error
        assert shot.read_bytes().startswith(b"\x89PNG") and shot.stat().st_size > 10_000
        assert len(folders) == 2 and folders[0] != folders[1]

        # Ctrl+C: the server asks open sessions to quit and stops promptly.
        server.send_signal(signal.SIGINT)
        server.wait(timeout=15)
        text = log.read_text(errors="replace")
        assert "Ready." in text
        assert text.count("session started, from 127.0.0.1") == 2 and "session ended (0 running)" in text
        assert "refused a session for a page from 'http://evil.example'" in text
        assert "Traceback" not in text
        for folder in folders:
            # as the session says it on its standard error, in a log line of at most LOG_LINE characters
            assert one_line(f"tillit serve: this session's data folder is {folder}") in text
        assert _session_folders(root / "sessions") == []  # nothing was written in either session
