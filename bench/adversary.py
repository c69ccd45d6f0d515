"""Tillit against an adversary: the attacks of the reliability review, run again on the current code.

    python bench/adversary.py              # every attack, larger numbers (a few minutes on 2 cores)
    python bench/adversary.py --quick      # every attack, small numbers (about a minute, for CI)
    python bench/adversary.py --only kills,restore --seed 7 --keep

Each attack is a function that does what an adversary would, mostly through the real command line
(`sys.executable -m course ... --data <a temporary folder>`), the library where that is simpler, and
then counts what went wrong:

1. kills      SIGKILL at random moments: a process looping `journal add` (course.cli.main.main), one looping
              Study.save_reflection with new reflections and edits (and the journal index), and fresh
              `tillit journal add` processes killed during start-up. Afterwards every acknowledged save
              (an id printed after the save returned) is on disk with its text, every data file parses,
              and a new start quarantines nothing.
2. restore    `journal add` from two writers while `tillit restore` puts back a backup of a big journal:
              every acknowledged id is in the journal or in a restore's safety backup (review A1).
3. firststart Several processes start at once on a day without a backup: exactly one daily backup (B3).
4. hostile    TOML bombs, files over 8 MiB, links to /etc/passwd, FIFOs, folders, unreadable files,
              damaged headers and checksums, in progress.toml, attempts, a reflection and
              journal/.index.json: every command quick, no traceback, no hang; the file quarantined
              byte for byte or skipped with a notice; nothing else lost.
5. foreign    `--data` at a folder of a stranger's files, and `--data ""`: every command leaves the folder
              byte for byte and mode for mode as it was (A4).
6. escapes    OSC/CSI/C1 payloads in reflections, tags, share files (names, texts, ids, file names),
              data-file keys and file names, command arguments: no raw control character reaches
              stdout or stderr, or the HTML/CSV reports.
7. cache      A damaged parse cache (TILLIT_CACHE): 100,000-deep JSON, bad tags, junk, a FIFO, a folder,
              links: every command works, no traceback, no hang (A5).

A table at the end gives each attack's figures and one line gives the total. The exit status is 1
when any attack lost an acknowledged word, printed a traceback, hung, let a raw control character
through or touched a file that is not Tillit's; each such failure is listed with its command.

Only the standard library and Tillit's own code are used. Unreadable files need a user that
permission bits apply to: as root, those commands run under `setpriv` without CAP_DAC_OVERRIDE and
CAP_DAC_READ_SEARCH (skipped, and said so, where setpriv is missing).
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import hashlib
import json
import os
import platform
import random
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from course.content.loader import load_course
from course.content.model import Course
from course.learner.journal import INDEX, Reflection, dump_reflection, new_id, parse_reflection
from course.learner.practice import Practice
from course.learner.share import build_share, render_share
from course.learner.study import Study
from course.store import backup, reading, storage
from course.store.paths import builtin_course_dir

REPO = Path(__file__).resolve().parent.parent
TRACEBACK = b"Traceback (most recent call last)"
# Raw bytes a terminal obeys: ESC, BEL, and the UTF-8 forms of the C1 controls CSI, OSC, DCS, ST.
RAW_CONTROLS = (b"\x1b", b"\x07", b"\xc2\x9b", b"\xc2\x9d", b"\xc2\x90", b"\xc2\x9c")
ID_LINE = re.compile(r"^\d{8}-\d{6}-[0-9a-f]{6}$")
PAYLOAD = (
    "\x1b]0;TILLIT-PWNED\x07 \x1b[2J cleared \x1b]52;c;SGVsbG8=\x07 \x1b[?1049h alt "
    "\x9b31m c1-csi \x9d0;C1-TITLE\x9c \x1bP+q544e\x1b\\ bell\x07 end-of-payload"
)
SLOW_SECONDS = 8.0  # "a few seconds": a bomb costs up to two sandboxed parses of 2 s CPU each; slower is slow
HANG_SECONDS = 20.0  # a command still running after this has hung
LANG = "en"


# --- figures -----------------------------------------------------------------------------------------------


@dataclass
class Tally:
    """One attack's figures: counts in the order they are printed, the ones that must be 0, and why not."""

    name: str
    title: str
    counts: dict[str, int] = field(default_factory=dict)
    bad: tuple[str, ...] = ()
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def add(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n

    def fail(self, key: str, detail: str) -> None:
        """Count one failure of kind `key` (one of `bad`) and keep the first few details."""
        self.add(key)
        if len(self.failures) < 40:
            self.failures.append(f"{key}: {detail}")

    @property
    def ok(self) -> bool:
        return all(self.counts.get(k, 0) == 0 for k in self.bad)

    def line(self) -> str:
        for key in self.bad:
            self.counts.setdefault(key, 0)
        order = sorted(self.counts, key=lambda k: (k != "tried", k in self.bad))  # stable: tried, figures, failures
        return ", ".join(f"{k} {self.counts[k]:,}" for k in order)


# --- running Tillit ---------------------------------------------------------------------------------------


@dataclass
class Run:
    """One finished (or hung) command."""

    argv: list[str]
    code: int
    out: bytes
    err: bytes
    seconds: float
    hung: bool = False
    limit: float = HANG_SECONDS

    @property
    def both(self) -> bytes:
        return self.out + self.err

    @property
    def traceback(self) -> bool:
        return TRACEBACK in self.both

    @property
    def raw(self) -> bool:
        return any(c in self.both for c in RAW_CONTROLS)

    @property
    def text(self) -> str:
        return self.out.decode("utf-8", "replace")

    @property
    def error(self) -> str:
        return self.err.decode("utf-8", "replace")

    def shown(self) -> str:
        """The command as one would type it (control characters made visible), for a failure's detail."""
        args = " ".join(a if a and a.isprintable() and " " not in a else repr(a) for a in self.argv)
        return f"tillit {args}"[:300]

    def tail(self) -> str:
        last = self.error.strip().splitlines()[-1:] or self.text.strip().splitlines()[-1:] or [""]
        return repr(last[0][:240])


class Env:
    """Where the attacks run: a temporary folder, its own parse cache, and how to call Tillit there."""

    def __init__(self, root: Path, quick: bool, seed: int) -> None:
        self.root = root
        self.quick = quick
        self.rng = random.Random(seed)
        self.seed = seed
        self.cache = root / "cache"
        self.cache.mkdir(mode=0o700)
        self.course: Course = load_course(builtin_course_dir())
        self.lesson = self.course.lesson_ids[0]
        self.prompt = self.course.lesson(self.lesson, LANG).prompts[0].id
        self.setpriv = shutil.which("setpriv") if os.geteuid() == 0 else None
        self._n = 0
        self._guard = threading.Lock()

    def fresh(self, name: str) -> Path:
        """A new, not yet existing path under the run's folder."""
        with self._guard:
            self._n += 1
            return self.root / f"{self._n:04d}-{name}"

    def environ(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("TILLIT_")}
        env.update(TILLIT_CACHE=str(self.cache), PYTHONIOENCODING="utf-8", PYTHONUTF8="1", TZ=env.get("TZ", "UTC"))
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
        env.update(extra)
        return env

    def tillit(
        self,
        *args: str,
        data: Path | None = None,
        stdin: bytes = b"",
        cwd: Path | None = None,
        env: dict[str, str] | None = None,
        timeout: float = HANG_SECONDS,
        unprivileged: bool = False,
    ) -> Run:
        """`python -m course ARGS [--data DATA]`, with output captured; a hang is killed and reported as one."""
        argv = [*args, *(["--data", str(data)] if data is not None else [])]
        command = [sys.executable, "-m", "course", *argv]
        if unprivileged and self.setpriv is not None:
            command = [self.setpriv, "--bounding-set=-dac_override,-dac_read_search", *command]
        started = time.monotonic()
        proc = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=cwd or self.root,
            env=env or self.environ(),
            start_new_session=True,
        )
        try:
            out, err = proc.communicate(stdin, timeout=timeout)
            return Run(argv, proc.returncode, out, err, time.monotonic() - started)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            out, err = proc.communicate()
            return Run(argv, -9, out, err, time.monotonic() - started, hung=True, limit=timeout)

    def python(self, script: str, *args: str) -> list[str]:
        """The command line of a child that runs `script` (unbuffered, so every printed line arrives at once)."""
        return [sys.executable, "-u", "-c", script, *args]


def check_run(t: Tally, run: Run, codes: Sequence[int] = (0,), what: str = "") -> bool:
    """Count what every command must not do; True when it did none of it."""
    label = f"{what}: " if what else ""
    fine = True
    if run.hung:
        t.fail("hangs", f"{label}{run.shown()} still ran after {run.limit:g} s and was killed")
        return False
    if run.traceback:
        t.fail("tracebacks", f"{label}{run.shown()} printed a traceback: {run.tail()}")
        fine = False
    elif run.code not in codes:
        t.fail("unexpected exits", f"{label}{run.shown()} exited {run.code}: {run.tail()}")
        fine = False
    return fine


# --- data ---------------------------------------------------------------------------------------------------


def study_at(env: Env, data: Path) -> Study:
    return Study(env.course, data, LANG)


def base_folder(env: Env, data: Path, reflections: int = 25) -> dict[str, str]:
    """A learner's folder made by the app itself: reflections, a read lesson, a finished quiz, a commitment,
    a self-assessment and the journal's index. Returns what the rest of the attack needs to find again."""
    study = study_at(env, data)
    made = [study.save_reflection(env.lesson, env.prompt, f"base reflection {i}", None) for i in range(reflections)]
    study.mark_read(env.lesson)
    quiz = env.course.quiz(env.lesson, LANG)
    assert quiz is not None
    for n, q in enumerate(quiz.questions):
        chosen = [q.options[0].id] if q.options else ["true"]
        study.answer(env.lesson, q.id, chosen, n)
    study.finish_quiz(env.lesson)
    second = env.course.lesson_ids[1]
    study.answer(second, "q-in-progress", ["a"], 0)
    practice = Practice(study)
    practice.add_commitment(env.lesson, "ask before I tell", datetime.now(UTC).date() + timedelta(days=7))
    if env.course.assessment is not None:
        practice.add_assessment({s.id: 3 for s in env.course.assessment.statements}, {})
    study_at(env, data).all_reflections()  # a fresh read writes journal/.index.json (25 files read afresh)
    return {"reflection": f"journal/{env.lesson}/{made[0].id}.toml", "attempts": f"attempts/{env.lesson}.toml"}


def write_many(env: Env, data: Path, n: int, label: str) -> list[str]:
    """`n` reflections written straight to disk in the journal's own format (set-up, not a save: no fsync)."""
    folder = data / "journal" / env.lesson
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    start = datetime.now(UTC).astimezone().replace(microsecond=0) - timedelta(days=500)
    ids: list[str] = []
    for i in range(n):
        when = start + timedelta(minutes=11 * i)
        r = Reflection(new_id(when), env.lesson, env.prompt, f"{label} {i}: I asked the team first.", when, when)
        path = folder / f"{r.id}.toml"
        raw = storage.with_checksum(storage.dumps({"schema": storage.SCHEMA, **dump_reflection(r)}, path))
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with open(fd, "wb") as handle:
            handle.write(raw)
        ids.append(r.id)
    return ids


def snapshot(folder: Path) -> dict[str, tuple[str, int, str]]:
    """Every entry below `folder` (itself included): its kind, mode and content (a link's target)."""
    out: dict[str, tuple[str, int, str]] = {}
    for path in [folder, *sorted(folder.rglob("*"))]:
        info = path.lstat()
        mode = stat.S_IMODE(info.st_mode)
        if stat.S_ISLNK(info.st_mode):
            out[str(path.relative_to(folder))] = ("link", mode, os.readlink(path))
        elif stat.S_ISREG(info.st_mode):
            out[str(path.relative_to(folder))] = ("file", mode, hashlib.sha256(path.read_bytes()).hexdigest())
        else:
            out[str(path.relative_to(folder))] = ("dir" if stat.S_ISDIR(info.st_mode) else "other", mode, "")
    return out


def differences(before: dict[str, tuple[str, int, str]], after: dict[str, tuple[str, int, str]]) -> list[str]:
    changed = [f"{k} changed" for k in before if k in after and before[k] != after[k]]
    gone = [f"{k} is gone" for k in before if k not in after]
    new = [f"{k} was created" for k in after if k not in before]
    return changed + gone + new


def data_files(data: Path) -> Iterator[Path]:
    """The data files Tillit's backups would copy (temp files, locks and the index left out)."""
    for rel in backup.data_files(data):
        yield data / rel


# --- 1. SIGKILL during saves --------------------------------------------------------------------------------


KILL_CHILD = r"""
import random, sys
from pathlib import Path
data, mode, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
rng = random.Random(seed)
WORDS = ("tillit", "trust", "återkoppling", "ansvar", "team", "🙂", "frågor", "\"\"\"", "'''", "\\")
def text(kind, i):
    return f"{kind}-{seed}-{i} " + " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 3000)))
if mode == "cli":
    from course.cli import main as cli
    i = 0
    while True:
        i += 1
        cli.main(["journal", "add", "--data", data, "--tag", f"k{seed}", text("add", i)])
else:
    from course.content.loader import load_course
    from course.store.paths import builtin_course_dir
    from course.learner.study import Study
    course = load_course(builtin_course_dir())
    study = Study(course, Path(data), "en")
    lessons = [l for l in course.lesson_ids if course.lesson(l, "en").prompts]
    lesson = lessons[seed % len(lessons)]
    prompt = course.lesson(lesson, "en").prompts[0].id
    own, i = [], 0
    while True:
        i += 1
        if own and rng.random() < 0.4:
            r = rng.choice(own)
            print(f"start {lesson} {r.id} {i}", flush=True)
            study.save_reflection(lesson, prompt, text("edit", i), r)
        else:
            r = study.save_reflection(lesson, prompt, text("new", i), None)
            own.append(r)
        print(f"done {lesson} {r.id} {i}", flush=True)
        if i % 23 == 0:
            study.all_reflections()
"""


def _marker(text: str) -> tuple[str, int]:
    head = text.split(" ", 1)[0]
    kind, _, number = head.rpartition("-")
    return kind, int(number) if number.isdigit() else -1


def attack_kills(env: Env) -> Tally:
    t = Tally(
        "kills",
        "SIGKILL during saves",
        bad=("lost", "wrong text", "corrupt files", "quarantined", "half-made backups kept", "tracebacks"),
    )
    data = env.fresh("kills")
    base_folder(env, data, reflections=3)
    rounds = 24 if env.quick else 300
    # (lesson, id) -> the text marker acknowledged last, and one begun after it and maybe cut short by the kill
    acked: dict[tuple[str, str], int] = {}
    pending: dict[tuple[str, str], int] = {}
    cli_acked: list[tuple[str, int, int]] = []  # (id, seed, n): the n-th id the seed's loop printed
    modes = ("cli", "library", "fresh")
    for n in range(rounds):
        mode = modes[n % 3]
        seed = env.seed * 100_000 + n
        if n % 7 == 6:  # a new day, as far as the daily backup is concerned: the next start copies everything
            for old in backup.list_backups(data):
                if old.name.endswith("-daily") or "-daily-" in old.name:
                    shutil.rmtree(old.path)
        if mode == "fresh":
            command = [sys.executable, "-m", "course", "journal", "add", "--data", str(data), f"fresh-{seed}-1 words"]
            delay = env.rng.uniform(0.0, 0.35)
        else:
            command = env.python(KILL_CHILD, str(data), mode, str(seed))
            delay = env.rng.uniform(0.05, 1.2)
        proc = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env.environ(), cwd=env.root
        )
        time.sleep(delay)
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(signal.SIGKILL)
        out, err = proc.communicate()
        t.add("tried")
        if proc.returncode == -signal.SIGKILL:
            t.add("killed")
        if TRACEBACK in err:
            t.fail("tracebacks", f"round {n} ({mode}): {err.decode('utf-8', 'replace').strip().splitlines()[-1]}")
        lines = out.decode("utf-8", "replace").splitlines()
        if mode == "library":
            for line in lines:
                parts = line.split()
                if len(parts) == 4 and parts[0] in ("start", "done"):
                    key, i = (parts[1], parts[2]), int(parts[3])
                    if parts[0] == "start":
                        pending[key] = i
                    else:
                        acked[key] = i
                        t.add("acknowledged")
        else:
            ids = [line for line in lines if ID_LINE.match(line)]
            whole = lines if out.endswith(b"\n") else lines[:-1]  # the last line may be cut by the kill
            if any(not ID_LINE.match(line) for line in whole):
                t.notes.append(f"round {n}: unexpected output {whole[:3]!r}")
            for k, rid in enumerate(ids, 1):
                cli_acked.append((rid, seed, k))
            t.add("acknowledged", len(ids))

    # Every acknowledged save, as it is on disk now, before any Tillit starts again (which would sweep).
    for (lesson, rid), i in acked.items():
        path = data / "journal" / lesson / f"{rid}.toml"
        try:
            got = reading.read_toml(path)
            r = parse_reflection(got, path) if got is not None else None
        except Exception as err:  # any failure to read an acknowledged reflection is the finding
            t.fail("corrupt files", f"{path}: {err}")
            continue
        if r is None:
            t.fail("lost", f"{rid} (library save {i}) is not on disk")
            continue
        _kind, found = _marker(r.text)
        begun = pending.get((lesson, rid), -1)
        if found != i and not (begun > i and found == begun):  # the last acknowledged text, or one begun after it
            t.fail("wrong text", f"{rid}: holds save {found}, acknowledged {i}")
    last: dict[int, int] = {}
    for rid, child, k in cli_acked:
        path = data / "journal" / env.lesson / f"{rid}.toml"
        try:
            got = reading.read_toml(path)
            r = parse_reflection(got, path) if got is not None else None
        except Exception as err:
            t.fail("corrupt files", f"{path}: {err}")
            continue
        if r is None:
            t.fail("lost", f"{rid} (printed by journal add) is not on disk")
            continue
        # The k-th id a loop printed belongs to its k-th add (a later one only if an add before it was refused).
        kind, number = _marker(r.text)
        if kind not in (f"add-{child}", f"fresh-{child}") or number < k or number <= last.get(child, 0):
            t.fail("wrong text", f"{rid}: text begins {r.text[:30]!r}, the id was printed {k}th by loop {child}")
        last[child] = number
    # Every data file, the backups' copies included, parses; the journal's index is whole JSON.
    checked = 0
    for path in sorted(data.rglob("*")):
        rel = path.relative_to(data)
        if path.is_symlink() or not path.is_file() or (path.name.startswith(".") and path.name.endswith(".tmp")):
            continue
        if any(part.endswith(".partial") for part in rel.parts):
            continue  # a backup killed half-way: swept at the next start (checked below)
        checked += 1
        try:
            if path.suffix == ".toml":
                if reading.read_toml(path) is None:
                    raise FileNotFoundError(path)
            elif path.name == INDEX:
                json.loads(path.read_bytes())
        except Exception as err:
            t.fail("corrupt files", f"{rel}: {err}")
    t.counts["files parsed"] = checked
    t.counts["half-made backups left by kills"] = sum(1 for _ in (data / backup.BACKUPS).glob(".*.partial"))
    t.counts["leftover temp files"] = sum(1 for p in data.rglob(".*.tmp"))
    # A new start: nothing quarantined, every reflection listed, half-made backups swept.
    listing = env.tillit("journal", "list", "--format", "toml", data=data, timeout=120)
    check_run(t, listing, what="after the kills")
    if b"could not be read" in listing.err or (data / storage.QUARANTINE).exists():
        t.fail("quarantined", f"a start after the kills moved files aside: {listing.tail()}")
    with contextlib.suppress(tomllib.TOMLDecodeError):
        listed = len(tomllib.loads(listing.text).get("reflection", []))
        t.counts["reflections listed after"] = listed
    left = [p for p in (data / backup.BACKUPS).glob(".*.partial")]
    if left:
        t.fail("half-made backups kept", f"{len(left)} half-made backups were still there after a new start")
    doctor = env.tillit("doctor", data=data, timeout=120)
    check_run(t, doctor, codes=(0, 1), what="doctor after the kills")
    if doctor.code != 0:
        t.notes.append("doctor after the kills: " + " | ".join(doctor.text.splitlines()[1:4]))
    return t


# --- 2. journal add during tillit restore --------------------------------------------------------------------


WRITER_CHILD = r"""
import os, sys
from course.cli import main as cli
data, stop, limit = sys.argv[1], sys.argv[2], int(sys.argv[3])
i = 0
while i < limit and not os.path.exists(stop):
    i += 1
    cli.main(["journal", "add", "--data", data, "--tag", "race", f"added during restore {i}"])
"""
SAFETY = re.compile(r"kept in (.+?); `tillit restore")


def attack_restore(env: Env) -> Tally:
    t = Tally("restore", "journal add during tillit restore", bad=("lost", "tracebacks", "unexpected exits", "hangs"))
    data = env.fresh("restore")
    study_at(env, data)
    size = 1500 if env.quick else 4000
    restores = 1 if env.quick else 3
    write_many(env, data, size, "in the backup")
    made = env.tillit("backup", data=data, timeout=300)
    if not check_run(t, made, what="setup"):
        return t
    name = Path(made.text.strip()).name
    stop = env.fresh("stop")
    writer = subprocess.Popen(
        env.python(WRITER_CHILD, str(data), str(stop), "100000"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env.environ(),
        cwd=env.root,
    )
    lines: list[str] = []
    first = threading.Event()

    def read() -> None:
        assert writer.stdout is not None
        for raw in writer.stdout:
            lines.append(raw.decode().strip())
            first.set()

    reader = threading.Thread(target=read)
    reader.start()
    fresh_ids: list[str] = []
    fresh_runs: list[Run] = []

    def fresh_writer() -> None:  # real `tillit journal add` processes, one after the other, all the while
        i = 0
        while not stop.exists():
            i += 1
            run = env.tillit("journal", "add", "--tag", "race", f"a fresh process during restore {i}", data=data)
            fresh_runs.append(run)
            fresh_ids.extend(line for line in run.text.split() if ID_LINE.match(line))

    other = threading.Thread(target=fresh_writer)
    other.start()
    first.wait(30)
    safeties: list[Path] = []
    for _ in range(restores):
        done = env.tillit("restore", name, data=data, timeout=300)
        if check_run(t, done, what="restore"):
            found = SAFETY.search(done.text)
            if found:
                safeties.append(Path(found.group(1)))
            else:
                t.fail("unexpected exits", f"restore said {done.tail()}")
        t.add("restores")
        time.sleep(0.5)
    time.sleep(0.3)
    stop.write_text("stop")
    _, err = writer.communicate(timeout=300)
    reader.join()
    other.join()
    if TRACEBACK in err or writer.returncode != 0:
        t.fail("tracebacks", f"the writer ended with {writer.returncode}: {err.decode(errors='replace')[-300:]}")
    for run in fresh_runs:
        check_run(t, run, what="journal add during restore")
    acknowledged = [line for line in lines if ID_LINE.match(line)] + fresh_ids
    live = {p.stem for p in (data / "journal" / env.lesson).glob("*.toml")}
    kept = {p.stem for s in safeties for p in (s / "journal" / env.lesson).glob("*.toml")}
    t.counts["reflections in the backup"] = size
    t.counts["tried"] = len(acknowledged)
    t.counts["acknowledged during restores"] = len(acknowledged)
    t.counts["live after"] = sum(1 for rid in acknowledged if rid in live)
    t.counts["only in a safety backup"] = sum(1 for rid in acknowledged if rid not in live and rid in kept)
    for rid in acknowledged:
        if rid not in live and rid not in kept:
            t.fail("lost", f"{rid} was acknowledged by journal add and is neither in the journal nor a safety backup")
    return t


# --- 3. concurrent first starts ---------------------------------------------------------------------------------


STARTER_CHILD = r"""
import sys
from pathlib import Path
from course.content.loader import load_course
from course.store.paths import builtin_course_dir
from course.learner.study import Study
course = load_course(builtin_course_dir())
print("ready", flush=True)
sys.stdin.readline()
study = Study(course, Path(sys.argv[1]), "en")
for n in study.notices:
    print("notice", n.kind, str(n.detail).replace("\n", " "), flush=True)
print("opened", flush=True)
"""


def attack_firststart(env: Env) -> Tally:
    t = Tally(
        "firststart",
        "concurrent first starts of a day",
        bad=(
            "rounds without exactly one daily backup",
            "failed backups",
            "tracebacks",
            "unexpected exits",
            "hangs",
            "lost",
        ),
    )
    data = env.fresh("firststart")
    study_at(env, data)
    write_many(env, data, 300 if env.quick else 1500, "old")
    rounds = 4 if env.quick else 12
    starters = 4 if env.quick else 6
    for n in range(rounds):
        shutil.rmtree(data / backup.BACKUPS, ignore_errors=True)  # a new day: no backup yet
        if n % 2 == 0:  # real `journal add` processes, all started at once
            with ThreadPoolExecutor(starters) as pool:
                texts = [f"first start {n}.{w}" for w in range(starters)]
                runs = list(pool.map(lambda text: env.tillit("journal", "add", text, data=data), texts))
            for run in runs:
                check_run(t, run, what=f"round {n}")
                if b"Could not make a backup" in run.err:
                    t.fail("failed backups", f"round {n}: {run.tail()}")
                for rid in run.text.split():
                    if ID_LINE.match(rid) and not (data / "journal" / env.lesson / f"{rid}.toml").exists():
                        t.fail("lost", f"round {n}: {rid} was printed and is not saved")
        else:  # Study opened by processes that have loaded the course and start at the same moment
            procs = [
                subprocess.Popen(
                    env.python(STARTER_CHILD, str(data)),
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    env=env.environ(),
                    cwd=env.root,
                )
                for _ in range(starters)
            ]
            for proc in procs:
                assert proc.stdout is not None
                proc.stdout.readline()
            for proc in procs:
                assert proc.stdin is not None
                proc.stdin.write(b"go\n")
                proc.stdin.flush()
            for proc in procs:
                out, err = proc.communicate(timeout=120)
                if TRACEBACK in err or proc.returncode != 0:
                    t.fail("tracebacks", f"round {n}: a start ended {proc.returncode}: {err[-200:]!r}")
                for line in out.decode().splitlines():
                    if line.startswith("notice error"):
                        t.fail("failed backups", f"round {n}: {line[:200]}")
        t.add("rounds")
        t.add("tried", starters)
        daily = [b for b in backup.list_backups(data) if "-daily" in b.name]
        partial = [p.name for p in (data / backup.BACKUPS).iterdir() if p.name.startswith(".")]
        if len(daily) != 1 or daily[0].empty or partial:
            t.fail(
                "rounds without exactly one daily backup",
                f"round {n}: {len(daily)} daily backups, half-made left: {partial}",
            )
        else:
            t.add("exactly one daily backup")
    return t


# --- 4. hostile data files ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hostile:
    """One way to damage or replace a data file. `make(path, original)` puts it in place."""

    name: str
    make: Callable[[Path, bytes], None]
    may_accept: bool = False  # Tillit may read it as valid (a bomb that fits the sandbox's limits)
    unreadable: bool = False


def _signed(body: str) -> Callable[[Path, bytes], None]:
    def make(path: Path, _original: bytes) -> None:
        path.write_bytes(storage.with_checksum(("schema = 1\n" + body).encode()))

    return make


def _replace(change: Callable[[bytes], bytes]) -> Callable[[Path, bytes], None]:
    def make(path: Path, original: bytes) -> None:
        path.write_bytes(change(original))

    return make


def _flip_header(raw: bytes) -> bytes:
    return raw[:2] + bytes([raw[2] ^ 0x01]) + raw[3:]


def _flip_checksum(raw: bytes) -> bytes:
    last = raw.rstrip(b"\n").rfind(b"\n") + len(storage.TRAILER) + 5
    return raw[:last] + (b"0" if raw[last : last + 1] != b"0" else b"1") + raw[last + 1 :]


def _flip_body(raw: bytes) -> bytes:
    middle = len(raw) // 2
    return raw[:middle] + bytes([raw[middle] ^ 0x20]) + raw[middle + 1 :]


def _link_to_passwd(path: Path, _original: bytes) -> None:
    path.unlink()
    path.symlink_to("/etc/passwd")


def _self_link(path: Path, _original: bytes) -> None:
    path.unlink()
    path.symlink_to(path.name)


def _fifo(path: Path, _original: bytes) -> None:
    path.unlink()
    os.mkfifo(path, 0o600)


def _folder(path: Path, _original: bytes) -> None:
    path.unlink()
    path.mkdir(mode=0o700)
    (path / "inside.toml").write_text("schema = 1\n")


def _unreadable(path: Path, _original: bytes) -> None:
    path.chmod(0)


def _huge(path: Path, original: bytes) -> None:
    text = "x" * (9 * 1024 * 1024)
    path.write_bytes(storage.with_checksum(f'schema = 1\nnote = "{text}"\n'.encode()))


TOML_ATTACKS = (
    Hostile("deep arrays", _signed("x = " + "[" * 5000 + "]" * 5000 + "\n")),
    Hostile("deep inline tables", _signed("x = " + "{ a = " * 3000 + "1" + " }" * 3000 + "\n")),
    Hostile("80 KB dotted key", _signed("a" + ".a" * 40_000 + " = 1\n")),
    Hostile("60,000 dotted keys", _signed("".join(f"k{i}.a.b = 1\n" for i in range(60_000))), may_accept=True),
    Hostile("300,000 tables", _signed("".join(f"[t{i}]\n" for i in range(300_000))), may_accept=True),
    Hostile("over 8 MiB", _huge),
    Hostile("link to /etc/passwd", _link_to_passwd),
    Hostile("link to itself", _self_link),
    Hostile("FIFO", _fifo),
    Hostile("folder", _folder),
    Hostile("unreadable (mode 000)", _unreadable, unreadable=True),
    Hostile("header bit flipped", _replace(_flip_header)),
    Hostile("checksum digit changed", _replace(_flip_checksum)),
    Hostile("body bit flipped", _replace(_flip_body)),
    Hostile("cut in half", _replace(lambda raw: raw[: len(raw) // 2])),
    Hostile("random bytes", _replace(lambda raw: random.Random(len(raw)).randbytes(4096))),
    Hostile("newer schema", _replace(lambda raw: raw.replace(b"schema = 1", b"schema = 99"))),
)


def _deep_json(path: Path, _original: bytes) -> None:
    path.write_text('{"tillit_journal_index": 2, "entries": ' + "[" * 100_000 + "]" * 100_000 + "}")


def _edited_index(path: Path, original: bytes) -> None:
    path.write_bytes(original.replace(b"base reflection 7", b"FORGED reflection 7"))


def _sparse(path: Path, _original: bytes) -> None:
    with path.open("wb") as handle:
        handle.truncate(600 * 1024 * 1024)


INDEX_ATTACKS = (
    Hostile("100,000-deep JSON", _deep_json, may_accept=True),
    Hostile("an entry's text edited", _edited_index, may_accept=True),
    Hostile(
        "wrong types",
        _replace(lambda _raw: b'{"tillit_journal_index": 2, "entries": [1, {"a": null}]}'),
        may_accept=True,
    ),
    Hostile("random bytes", _replace(lambda raw: random.Random(7).randbytes(4096)), may_accept=True),
    Hostile("600 MiB (sparse)", _sparse, may_accept=True),
    Hostile("link to /etc/passwd", _link_to_passwd, may_accept=True),
    Hostile("FIFO", _fifo, may_accept=True),
    Hostile("folder", _folder, may_accept=True),
    Hostile("unreadable (mode 000)", _unreadable, may_accept=True, unreadable=True),
)


def _kind(path: Path) -> tuple[str, str]:
    """What is at `path` now: ('missing'|'link'|'file'|'fifo'|'dir', content hash or link target)."""
    try:
        info = path.lstat()
    except FileNotFoundError:
        return "missing", ""
    if stat.S_ISLNK(info.st_mode):
        return "link", os.readlink(path)
    if stat.S_ISFIFO(info.st_mode):
        return "fifo", ""
    if stat.S_ISDIR(info.st_mode):
        return "dir", ""
    if info.st_size > 64 * 1024 * 1024:
        return "file", f"size {info.st_size}"
    if stat.S_IMODE(info.st_mode) == 0:
        return "file", "mode 000"
    return "file", hashlib.sha256(path.read_bytes()).hexdigest()


def _quarantined(data: Path, rel: str, before: tuple[str, str]) -> bool:
    """True when the file that was at `rel` is in the quarantine exactly as it was, with its note."""
    folder = data / storage.QUARANTINE
    prefix = storage.quarantine_name(data / rel, data) + ".unreadable-"
    for entry in folder.glob("*") if folder.is_dir() else ():
        if entry.name.startswith(prefix) and not entry.name.endswith(".note.txt"):
            note = entry.with_name(entry.name + ".note.txt")
            return _kind(entry) == before and note.is_file()
    return False


def hostile_case(env: Env, base: Path, target: str, rel: str, attack: Hostile) -> Tally:
    t = Tally(
        "hostile",
        "",
        bad=("tracebacks", "hangs", "slow starts", "unexpected exits", "lost", "wrong outcome", "leaks of /etc/passwd"),
    )
    what = f"{attack.name} in {target}"
    if attack.unreadable and os.geteuid() == 0 and env.setpriv is None:
        t.notes.append(f"{what}: skipped (as root without setpriv, permission bits do not apply)")
        return t
    data = env.fresh("hostile")
    shutil.copytree(base, data, symlinks=True)
    path = data / rel
    others = {
        str(p.relative_to(data)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in data_files(data)
        if p != path and p.name != storage.MARKER
    }
    original = path.read_bytes()
    attack.make(path, original)
    placed = _kind(path)
    passwd = hashlib.sha256(Path("/etc/passwd").read_bytes()).hexdigest() if Path("/etc/passwd").exists() else ""
    commands: list[tuple[tuple[str, ...], tuple[int, ...]]] = [
        (("journal", "list"), (0,)),
        (("share", "-o", str(env.fresh("share.toml"))), (0,)),  # reads the attempts too
        (("journal", "add", "written after the damage"), (0,)),
    ]
    if not env.quick:
        commands[1:1] = [(("doctor",), (0, 1))]
        commands += [
            (("backup",), (0,)),
            (("journal", "export", "--format", "md"), (0,)),
            (("journal", "list"), (0,)),
        ]
    told = False  # a command printed a notice naming the file
    edited = False  # ... saying that it was changed outside Tillit and kept as a hand edit
    mover: Run | None = None  # the command after which the file was no longer where it was
    slowest = 0.0
    for args, codes in commands:
        run = env.tillit(*args, data=data, unprivileged=attack.unreadable)
        t.add("tried")
        slowest = max(slowest, run.seconds)
        if not check_run(t, run, codes, what) and run.hung:
            break
        if run.seconds > SLOW_SECONDS:
            t.fail("slow starts", f"{what}: {run.shown()} took {run.seconds:.1f} s")
        if b"root:x:0:0" in run.out or b"root:x:0:0" in run.err:
            t.fail("leaks of /etc/passwd", f"{what}: {run.shown()} printed /etc/passwd")
        if str(path).encode() in run.err and (b"could not be read" in run.err or b"newer version" in run.err):
            told = True
        if str(path).encode() in run.err and b"changed outside Tillit" in run.err:
            told = edited = True  # a whole checksum line that does not match: a hand edit, kept with a notice
        if mover is None and _kind(path) != placed:
            mover = run
            if not told and target != "index":
                t.fail(
                    "wrong outcome",
                    f"{what}: {run.shown()} moved the file into the quarantine without a word (exit {run.code})",
                )
    t.counts["slowest start ms"] = int(slowest * 1000)
    now = _kind(path)
    if target == "index":
        outcome = "ignored (a cache)"
    elif edited and now[0] == "file" and any(storage.hand_edit_copies(data)):
        outcome = "accepted as a hand edit, with a notice and a copy"  # kept as it was, or saved since
    elif now == placed:
        outcome = "skipped with a notice" if told else "accepted" if attack.may_accept else "left, unmentioned"
        if not told and not attack.may_accept:
            t.fail("wrong outcome", f"{what}: left out of what the commands showed, without a word about it")
    elif now[0] == "missing" and _quarantined(data, rel, placed):
        outcome = "quarantined"
    else:
        outcome = "changed in place" if now[0] != "missing" else "gone"
        t.fail("wrong outcome", f"{what}: the file was {outcome} ({placed[0]} -> {now[0]}), not quarantined whole")
    t.notes.append(f"{what}: {outcome}, slowest command {slowest:.2f} s")
    # Nothing else lost: every other data file as it was, every base reflection still listed with its text.
    for other, digest in others.items():
        if not (data / other).is_file() or hashlib.sha256((data / other).read_bytes()).hexdigest() != digest:
            t.fail("lost", f"{what}: {other} changed or vanished")
    listing = env.tillit("journal", "list", "--format", "toml", data=data, unprivileged=attack.unreadable)
    if check_run(t, listing, what=what):
        try:
            texts = {r["id"]: r["text"] for r in tomllib.loads(listing.text).get("reflection", [])}
        except (tomllib.TOMLDecodeError, KeyError, TypeError) as err:
            t.fail("lost", f"{what}: the listing is not TOML ({err})")
            texts = {}
        expected = 25 - (1 if target == "reflection" else 0)
        base_texts = [v for v in texts.values() if v.startswith("base reflection ")]
        if len(base_texts) < expected:
            t.fail("lost", f"{what}: {len(base_texts)} of {expected} reflections listed afterwards")
        if any(v.startswith("FORGED") for v in texts.values()):
            t.fail("lost", f"{what}: the listing shows the edited index's text instead of the file's")
    if passwd and hashlib.sha256(Path("/etc/passwd").read_bytes()).hexdigest() != passwd:
        t.fail("lost", f"{what}: /etc/passwd changed")
    t.add(outcome)
    return t


def attack_hostile(env: Env) -> Tally:
    total = Tally(
        "hostile",
        "hostile data files",
        bad=("tracebacks", "hangs", "slow starts", "unexpected exits", "lost", "wrong outcome", "leaks of /etc/passwd"),
    )
    base = env.fresh("hostile-base")
    names = base_folder(env, base)
    targets = {"progress": "progress.toml", "attempts": names["attempts"], "reflection": names["reflection"]}
    cases: list[tuple[str, str, Hostile]] = [(k, rel, a) for k, rel in targets.items() for a in TOML_ATTACKS]
    cases += [("index", f"journal/{INDEX}", a) for a in INDEX_ATTACKS]
    if env.quick:  # every attack on the progress file; a spread of the rest
        cases = [c for i, c in enumerate(cases) if c[0] == "progress" or i % 2 == 0]
    total.counts["cases"] = len(cases)
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda c: hostile_case(env, base, *c), cases))
    slowest = 0
    for r in results:
        for key, value in r.counts.items():
            if key == "slowest start ms":
                slowest = max(slowest, value)
            else:
                total.add(key, value)
        total.failures += r.failures
        total.notes += r.notes
    total.counts["slowest start ms"] = slowest
    # B4: a reflection over the read cap is refused when it is added, never acknowledged and then quarantined.
    data = env.fresh("big")
    big = env.tillit("journal", "add", data=data, stdin=("lång reflektion " * 600_000).encode())
    check_run(total, big, codes=(0, 2), what="a 9.6 MB reflection")
    total.add("tried")
    if big.code == 0:
        listing = env.tillit("journal", "list", data=data)
        if big.text.strip() not in listing.text or b"could not be read" in listing.err:
            total.fail("lost", f"journal add acknowledged {big.text.strip()} (9.6 MB), and the next read refused it")
    return total


# --- 5. a folder that is not Tillit's ---------------------------------------------------------------------------


def stranger_tree(folder: Path, with_progress: bool) -> None:
    (folder / "project" / "src").mkdir(parents=True)
    (folder / ".cache").mkdir()
    (folder / "project" / "src" / "main.py").write_text("print('mine')\n")
    (folder / "project" / "src" / ".build.tmp").write_text("important")
    (folder / ".cache" / ".progress.toml.abcdefgh.tmp").write_text("not Tillit's either")
    (folder / "run.sh").write_text("#!/bin/sh\necho mine\n")
    (folder / "run.sh").chmod(0o755)
    (folder / "notes.txt").write_text("my notes\n")
    (folder / "latest").symlink_to("project")
    if with_progress:  # another program's progress.toml, beside the stranger's other files
        (folder / "progress.toml").write_text('[tool]\nname = "another program"\nstep = 3\n')
    past = time.time() - 7200
    for path in [*folder.rglob("*")]:
        os.utime(path, (past, past), follow_symlinks=False)
    folder.chmod(0o1777)


def attack_foreign(env: Env) -> Tally:
    t = Tally("foreign", "a folder that is not Tillit's", bad=("foreign files touched", "tracebacks", "hangs"))
    outside = env.fresh("outside")
    outside.mkdir()
    shares = outside / "shares"
    shares.mkdir()
    commands: list[tuple[str, ...]] = [
        ("journal", "list"),
        ("journal", "add", "a reflection"),
        ("journal", "search", "mine"),
        ("journal", "export", "--format", "md"),
        ("journal", "export", "--format", "html", "-o", str(outside / "journal.html")),
        ("backup",),
        ("backup", "--list"),
        ("restore", "20261207-101010-manual"),
        ("doctor",),
        ("doctor", "--fix"),
        ("share",),
        ("share", "-o", str(outside / "share.toml")),
        ("results", str(shares)),
        ("handout", "--for", "participants", "--format", "md", "-o", str(outside / "handout.md")),
        ("where",),
        ("run",),
    ]
    variants = [("a stranger's source tree", False), ("a stranger's files with their own progress.toml", True)]
    for label, with_progress in variants:
        for args in commands:
            folder = env.fresh("notmine")
            folder.mkdir()
            stranger_tree(folder, with_progress)
            before = snapshot(folder)
            run = env.tillit(*args, data=folder, timeout=30)
            t.add("tried")
            check_run(t, run, codes=(0, 1, 2), what=label)
            changed = differences(before, snapshot(folder))
            if changed:
                t.fail("foreign files touched", f"{label}: {run.shown()} (exit {run.code}): {', '.join(changed[:4])}")
            elif run.code == 0 and args[0] not in ("where", "results", "handout"):
                t.notes.append(f"{label}: {run.shown()} succeeded without touching the folder")
    # --data "" (an unset variable in --data "$DIR") from inside a stranger's folder: never the current folder.
    for args in commands:
        folder = env.fresh("cwd")
        folder.mkdir()
        stranger_tree(folder, True)
        before = snapshot(folder)
        run = env.tillit(*args, "--data", "", cwd=folder, timeout=30)
        t.add("tried")
        t.add('runs with --data ""')
        check_run(t, run, codes=(2,), what='--data ""')
        changed = differences(before, snapshot(folder))
        if changed:
            t.fail("foreign files touched", f'--data "": {run.shown()}: {", ".join(changed[:4])}')
    return t


# --- 6. control sequences ----------------------------------------------------------------------------------------


def _share_files(env: Env, folder: Path) -> None:
    """A valid share with a hostile name and reflection, and hostile variants of it (ids, versions, file names)."""
    data = env.fresh("sharer")
    study = study_at(env, data)
    r = study.save_reflection(env.lesson, env.prompt, "shared: " + PAYLOAD, None)
    quiz = env.course.quiz(env.lesson, LANG)
    assert quiz is not None
    q = quiz.questions[0]
    study.answer(env.lesson, q.id, [q.options[0].id] if q.options else ["true"], 0)
    study.finish_quiz(env.lesson)
    good = build_share(study, "Name " + PAYLOAD, [r.id])
    folder.mkdir()
    (folder / "valid.toml").write_text(render_share(good), encoding="utf-8")
    (folder / f"valid {PAYLOAD[:40]}.toml").write_text(render_share(good), encoding="utf-8")

    def variant(name: str, change: Callable[[dict[str, Any]], None]) -> None:
        data_copy = copy.deepcopy(good)
        change(data_copy)
        (folder / name).write_text(storage.dumps(data_copy, folder / name).decode(), encoding="utf-8")

    variant("bad-lesson.toml", lambda d: d["reflection"][0].__setitem__("lesson", PAYLOAD))
    variant("bad-prompt.toml", lambda d: d["reflection"][0].__setitem__("prompt", PAYLOAD))
    variant("bad-course.toml", lambda d: d.__setitem__("course", PAYLOAD))
    variant("bad-participant.toml", lambda d: d.__setitem__("participant", PAYLOAD))
    variant("bad-version.toml", lambda d: d.__setitem__("app_version", PAYLOAD))
    variant("bad-lang.toml", lambda d: d.__setitem__("lang", PAYLOAD))
    variant("bad-kind.toml", lambda d: d.__setitem__("kind", PAYLOAD))
    variant("bad-question.toml", lambda d: d["answer"][0].__setitem__("question", PAYLOAD))
    variant("bad-option.toml", lambda d: d["answer"][0].__setitem__("first", [PAYLOAD]))
    variant("unknown-key.toml", lambda d: d.__setitem__(PAYLOAD, 1))
    (folder / f"junk {PAYLOAD}.toml").write_text("this is not TOML " + PAYLOAD, encoding="utf-8")


def attack_escapes(env: Env) -> Tally:
    t = Tally("escapes", "control sequences", bad=("raw escapes", "tracebacks", "hangs", "unexpected exits"))

    def probe(what: str, run: Run, codes: Sequence[int] = (0,)) -> None:
        t.add("tried")
        check_run(t, run, codes, what)
        if run.raw:
            found = next(c for c in RAW_CONTROLS if c in run.both)
            where = "stdout" if found in run.out else "stderr"
            t.fail("raw escapes", f"{what}: {run.shown()} wrote a raw {found!r} to {where}")

    data = env.fresh("esc")
    added = env.tillit("journal", "add", "--tag", "esc", data=data, stdin=PAYLOAD.encode())
    probe("journal add from stdin", added)
    rid = added.text.strip()
    env.tillit("journal", "add", "--tag", "\x1b]0;TAG\x07", "tagged", data=data)
    for args in (
        ("journal", "list"),
        ("journal", "search", "payload"),
        ("journal", "search", "end-of-payload", "--tag", "esc"),
        ("journal", "list", "--format", "toml"),
        ("journal", "export", "--format", "md"),
        ("journal", "export", "--format", "toml"),
        ("share", "--reflection", rid, "-o", "-", "--yes"),
        ("doctor",),
    ):
        probe("a reflection holding escapes", env.tillit(*args, data=data))
    exported = env.fresh("export.html")
    probe("html export", env.tillit("journal", "export", "--format", "html", "-o", str(exported), data=data))
    if any(c in exported.read_bytes() for c in RAW_CONTROLS):
        t.fail("raw escapes", "journal export --format html wrote a raw control character into the page")
    # Arguments the user pastes (or a script passes) hold escapes: every refusal shows them inert.
    for args, codes in (
        (("journal", "add", "--lesson", PAYLOAD, "text"), (2,)),
        (("journal", "list", "--since", PAYLOAD), (2,)),
        (("journal", "list", "--lesson", PAYLOAD), (2,)),
        (("restore", PAYLOAD), (2,)),
        (("results", str(env.root / PAYLOAD)), (2,)),
    ):
        probe("an argument holding escapes", env.tillit(*args, data=data), codes)
    # Share files from participants, for `tillit results`.
    shares = env.fresh("shares")
    _share_files(env, shares)
    report, csv = env.fresh("report.html"), env.fresh("questions.csv")
    probe("tillit results of hostile shares", env.tillit("results", str(shares), data=env.fresh("trainer")))
    probe(
        "tillit results with reports",
        env.tillit("results", str(shares), "--html", str(report), "--csv", str(csv), data=env.fresh("trainer")),
    )
    for out in (report, csv):
        if out.exists() and any(c in out.read_bytes() for c in RAW_CONTROLS):
            t.fail("raw escapes", f"tillit results wrote a raw control character into {out.name}")
    # Data files whose keys or names hold escapes: the notice about them is printed too.
    damaged = env.fresh("esc-keys")
    base_folder(env, damaged, reflections=2)
    (damaged / "progress.toml").write_bytes(
        storage.with_checksum(b'schema = 1\n[lessons]\n"\\u001b]0;KEY-TITLE\\u0007\\u001b[2J" = 1\n')
    )
    probe("a data file whose key holds escapes", env.tillit("journal", "list", data=damaged))
    named = env.fresh("esc-names")
    base_folder(env, named, reflections=2)
    (named / "journal" / env.lesson / "x\x1b]0;NAME-TITLE\x07.toml").write_bytes(b"junk")
    probe("a data file whose name holds escapes", env.tillit("journal", "list", data=named))
    probe("doctor on a quarantine holding such a name", env.tillit("doctor", data=named), (0, 1))
    return t


# --- 7. a damaged parse cache ------------------------------------------------------------------------------------


def attack_cache(env: Env) -> Tally:
    t = Tally(
        "cache", "a damaged parse cache", bad=("tracebacks", "hangs", "unexpected exits", "slow starts", "raw escapes")
    )
    good = env.fresh("cache-good")
    good.mkdir()
    env.tillit("journal", "list", data=env.fresh("cache-maker"), env=env.environ(TILLIT_CACHE=str(good)))
    try:
        real: dict[str, Any] = json.loads((good / "parsed-course.json").read_text())
    except (OSError, ValueError):
        real = {"version": 1, "files": {}}
        t.notes.append("no parse cache was written, so the variants under the real keys test nothing")
    keys = list(real["files"])

    def each_value(value: Any) -> Callable[[Path], None]:
        def make(folder: Path) -> None:
            files = {k: value for k in keys}
            (folder / "parsed-course.json").write_text(json.dumps({"version": 1, "files": files}))

        return make

    def text(body: str) -> Callable[[Path], None]:
        def make(folder: Path) -> None:
            (folder / "parsed-course.json").write_text(body)

        return make

    def deep_values(folder: Path) -> None:
        deep = "[" * 100_000 + "]" * 100_000
        body = ", ".join(f'"{k}": {deep}' for k in keys[:3])
        (folder / "parsed-course.json").write_text('{"version": 1, "files": {' + body + "}}")

    def poisoned(folder: Path) -> None:
        files = json.loads(json.dumps(real["files"]))
        for value in files.values():
            if isinstance(value, dict) and isinstance(value.get("title"), dict):
                value["title"] = {k: PAYLOAD for k in value["title"]}
            elif isinstance(value, dict) and isinstance(value.get("title"), str):
                value["title"] = PAYLOAD
        (folder / "parsed-course.json").write_text(json.dumps({"version": 1, "files": files}))

    def renamed_key(folder: Path) -> None:
        files = copy.deepcopy(real["files"])
        for value in files.values():
            if isinstance(value, dict) and "title" in value:
                value["titld"] = value.pop("title")  # 'e' -> 'd': one bit, and the file is still JSON
                break
        (folder / "parsed-course.json").write_text(json.dumps({"version": 1, "files": files}))

    def special(kind: str) -> Callable[[Path], None]:
        def make(folder: Path) -> None:
            path = folder / "parsed-course.json"
            if kind == "fifo":
                os.mkfifo(path, 0o600)
            elif kind == "folder":
                path.mkdir()
            elif kind == "link to itself":
                path.symlink_to(path.name)
            elif kind == "link to /dev/zero":
                path.symlink_to("/dev/zero")
            elif kind == "over 8 MiB":
                path.write_text('{"version": 1, "files": {}, "pad": "' + "x" * (9 * 1024 * 1024) + '"}')

        return make

    variants: list[tuple[str, Callable[[Path], None]]] = [
        (
            "100,000-deep JSON in a value (the review's A5)",
            text('{"version":1,"files":{"x":' + "[" * 100_000 + "]" * 100_000 + "}}"),
        ),
        ("100,000-deep JSON at the top", text("[" * 100_000 + "]" * 100_000)),
        ("100,000-deep values under the real keys", deep_values),
        ("bad date tags under the real keys", each_value({"$type": "datetime", "v": "not a date"})),
        ("unknown tags under the real keys", each_value({"$type": "bogus", "v": 1})),
        ("lists instead of tables", each_value([1, 2, 3])),
        ("tables of the wrong shape", each_value({"lesson": 1, "quiz": None})),
        ("course titles with escapes", poisoned),
        ("one bit flipped in a key name (still JSON)", renamed_key),
        ("truncated", text(json.dumps(real)[: len(json.dumps(real)) // 2])),
        ("random bytes", text(random.Random(3).randbytes(5000).decode("latin-1"))),
        ("a list", text("[1, 2, 3]")),
        ("files is a list", text('{"version": 1, "files": [1, 2]}')),
        ("another version", text('{"version": 999, "files": {}}')),
        ("over 8 MiB", special("over 8 MiB")),
        ("a link to /dev/zero", special("link to /dev/zero")),
        ("a link to itself", special("link to itself")),
        ("a folder in its place", special("folder")),
        ("a FIFO in its place", special("fifo")),
    ]
    commands: list[tuple[str, ...]] = [("journal", "list"), ("journal", "add", "with a damaged cache")]
    if not env.quick:
        commands += [
            ("check",),
            ("share",),
            ("handout", "--for", "trainer", "--format", "md"),
            ("results", str(env.root)),
        ]
    data = env.fresh("cache-data")
    base_folder(env, data, reflections=2)
    for label, make in variants:
        folder = env.fresh("cache")
        folder.mkdir()
        make(folder)
        for args in commands:
            run = env.tillit(*args, data=data, env=env.environ(TILLIT_CACHE=str(folder)), timeout=10)
            t.add("tried")
            if not check_run(t, run, what=f"cache: {label}"):
                if run.hung:
                    break  # the same hang at every start: one is enough to show it
                continue
            if run.seconds > SLOW_SECONDS:
                t.fail("slow starts", f"cache: {label}: {run.shown()} took {run.seconds:.1f} s")
            if run.raw:
                t.fail("raw escapes", f"cache: {label}: {run.shown()} wrote a raw control character")
    for label, value in (("TILLIT_CACHE pointing at a file", str(data / "progress.toml")), ('TILLIT_CACHE=""', "")):
        run = env.tillit("journal", "list", data=data, env=env.environ(TILLIT_CACHE=value), timeout=15)
        t.add("tried")
        check_run(t, run, what=label)
    return t


# --- the campaign -------------------------------------------------------------------------------------------------


ATTACKS: dict[str, Callable[[Env], Tally]] = {
    "kills": attack_kills,
    "restore": attack_restore,
    "firststart": attack_firststart,
    "hostile": attack_hostile,
    "foreign": attack_foreign,
    "escapes": attack_escapes,
    "cache": attack_cache,
}


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Run the reliability review's attacks against the current code.")
    parser.add_argument("--quick", action="store_true", help="small numbers: about a minute on 2 cores (for CI)")
    parser.add_argument("--only", metavar="A,B", help=f"run only these attacks ({', '.join(ATTACKS)})")
    parser.add_argument("--seed", type=int, default=20261207, help="the random seed (kill moments, texts)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder and print where it is")
    parser.add_argument("-v", "--verbose", action="store_true", help="also print each case's outcome")
    return parser.parse_args(argv)


def _cleanup(root: Path) -> None:
    """Remove the run's folder; files left mode 000 by the unreadable-file cases are made removable first."""
    for path in root.rglob("*"):
        with contextlib.suppress(OSError):
            if not path.is_symlink() and stat.S_IMODE(path.lstat().st_mode) == 0:
                path.chmod(0o600)
    shutil.rmtree(root, ignore_errors=True)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    chosen = list(ATTACKS) if not args.only else [a.strip() for a in args.only.split(",") if a.strip()]
    unknown = [a for a in chosen if a not in ATTACKS]
    if unknown:
        print(f"adversary: no attack {', '.join(unknown)}; choose from {', '.join(ATTACKS)}", file=sys.stderr)
        return 2
    root = Path(tempfile.mkdtemp(prefix="tillit-adversary-"))
    os.chmod(root, 0o700)
    env = Env(root, args.quick, args.seed)
    mode = "quick" if args.quick else "full"
    print(
        f"Tillit adversary campaign ({mode}), {date.today()}, {platform.node()}: {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}, "
        f"{'root' if os.geteuid() == 0 else 'not root'}; seed {args.seed}; in {root}"
    )
    tallies: list[Tally] = []
    started = time.monotonic()
    try:
        for name in chosen:
            began = time.monotonic()
            print(f"… {name}", flush=True)
            try:
                tally = ATTACKS[name](env)
            except Exception as err:  # the harness itself broke: say where, count it as a failure
                import traceback

                tally = Tally(name, name, bad=("harness errors",))
                tally.fail("harness errors", "".join(traceback.format_exception(err))[-1500:])
            tally.seconds = time.monotonic() - began
            tallies.append(tally)
            if args.verbose:
                for note in tally.notes:
                    print(f"    {note}")
    finally:
        if args.keep:
            print(f"kept: {root}")
        else:
            _cleanup(root)
    print()
    width = max(len(t.title) for t in tallies)
    print(f"{'attack'.ljust(width)}  {'time':>6}  result  figures")
    for t in tallies:
        print(f"{t.title.ljust(width)}  {t.seconds:5.1f}s  {'ok  ' if t.ok else 'FAIL'}    {t.line()}")
    failed = [t for t in tallies if not t.ok]
    for t in failed:
        print(f"\n{t.title}: what went wrong")
        for line in t.failures:
            print(f"  - {line}")
        for note in t.notes[:5] if t.name == "kills" else []:
            print(f"  note: {note}")
    tried = sum(t.counts.get("tried", 0) for t in tallies)
    problems = sum(t.counts.get(k, 0) for t in tallies for k in t.bad)
    verdict = "all held" if not failed else f"{len(failed)} of {len(tallies)} attacks FAILED"
    print(
        f"\nTotal: {len(tallies)} attacks, {tried:,} tries, {problems} failures in {time.monotonic() - started:.0f} s: "
        f"{verdict}."
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
