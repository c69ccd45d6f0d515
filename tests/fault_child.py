"""Child process for tests/test_faults.py: scripted saves that can be killed at any I/O step.

Run as `python -m tests.fault_child MODE ...` from the repository root. Modes:

serve
    A fork server: loads the course once, prints READY, then reads commands from stdin, one a line,
    and answers each with one line (forking is ~100x cheaper than starting Python per crash point):

    run DIR OUT K PHASE  fork a worker that runs SCENARIO on DIR with stdout in OUT; the K-th hooked
                         I/O call kills it with SIGKILL (PHASE "before" or "after" the call; K=0: no
                         crash, the worker prints "CALLS n" at the end). Answer: "DONE <wait status>".
    loop DIR OUT MS      fork a worker that saves reflections in a loop on DIR (stdout in OUT); this
                         server kills it with SIGKILL MS milliseconds (a float) after it opened its
                         Study. Answer: "DONE <wait status>".
    quit

rosave --data DIR
    Try to save one reflection on DIR; print "ERROR <message>" and exit 3 on a StorageError.

journal-add --data DIR --worker W --count N
    Run the real `tillit journal add` (course.cli.main.main) N times in this process.

attempts --data DIR --worker W --count N
    AttemptStore.add N attempts.

Every save prints "BEGIN <json>" before it starts and "SAVED <json>" after it returned, flushed.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
LESSON = "trust-culture"
PROMPTS = ("trust-and-control-week", "professional-judgement")
QUESTION, ANSWER = "approval-for-every-decision", "room-support-together"
TEXTS = (
    'Jag lät teamet planera veckan själva. Det kändes ovant — men bra. 🙂\nAndra raden med "citat".',
    'Second reflection: """triple quotes""", a backslash \\ and a tab\there.\n\nÅÄÖ åäö 👩‍👩‍👧',
)
EDITED = "Första reflektionen, omskriven efter en vecka.\nNu med två rader."
COMMITMENT = "Fråga teamet vad de behöver innan jag bestämmer något."
HOOKED = ("open", "write", "fsync", "replace", "close", "fchmod", "rename", "unlink")


_WRITE = os.write  # the real one, captured before install_hooks wraps it


def say(tag: str, **what: Any) -> None:
    """One protocol line on stdout in one write(2) (it must be out, whole, before a kill)."""
    sys.stdout.flush()
    _WRITE(1, f"{tag} {json.dumps(what, ensure_ascii=False, default=str)}\n".encode())


def install_hooks(crash_at: int, phase: str) -> Callable[[], int]:
    """Count every hooked I/O call; the `crash_at`-th one (1-based; 0 = never) kills this process."""
    count = 0
    kill = os.kill
    getpid = os.getpid

    def step() -> bool:
        nonlocal count
        count += 1
        return count == crash_at

    def wrap(original: Callable[..., Any]) -> Callable[..., Any]:
        def hooked(*args: Any, **kwargs: Any) -> Any:
            hit = step()
            if hit and phase == "before":
                kill(getpid(), signal.SIGKILL)
            result = original(*args, **kwargs)
            if hit:
                kill(getpid(), signal.SIGKILL)
            return result

        return hooked

    for name in HOOKED:
        setattr(os, name, wrap(getattr(os, name)))
    setattr(tempfile, "mkstemp", wrap(tempfile.mkstemp))  # noqa: B010 - counts itself and its own os.open
    return lambda: count


def scenario(data: Path, course: Any, crash_at: int, phase: str) -> None:
    """The scripted saves: two reflections, progress, a quiz attempt, a commitment, an edit."""
    from course.learner.practice import Practice
    from course.learner.study import Study

    study = Study(course, data, "en")
    practice = Practice(study)
    calls = install_hooks(crash_at, phase)

    say("BEGIN", kind="reflection", text=TEXTS[0])
    r1 = study.save_reflection(LESSON, PROMPTS[0], TEXTS[0], None)
    say("SAVED", kind="reflection", lesson=r1.lesson, id=r1.id, text=r1.text)
    say("BEGIN", kind="reflection", text=TEXTS[1])
    r2 = study.save_reflection(LESSON, PROMPTS[1], TEXTS[1], None)
    say("SAVED", kind="reflection", lesson=r2.lesson, id=r2.id, text=r2.text)
    say("BEGIN", kind="read")
    study.mark_read(LESSON)
    say("SAVED", kind="read")
    say("BEGIN", kind="answer")
    study.answer(LESSON, QUESTION, [ANSWER], 0)
    say("SAVED", kind="answer")
    say("BEGIN", kind="attempt")
    _, attempt = study.finish_quiz(LESSON)
    say("SAVED", kind="attempt", finished=attempt.finished.isoformat(), points=attempt.points)
    say("BEGIN", kind="commitment")
    c = practice.add_commitment(LESSON, COMMITMENT, date(2030, 1, 1))
    say("SAVED", kind="commitment", id=c.id, text=c.text)
    say("BEGIN", kind="edit", id=r1.id, text=EDITED)
    e = study.save_reflection(LESSON, PROMPTS[0], EDITED, r1)
    say("SAVED", kind="edit", lesson=e.lesson, id=e.id, text=e.text)
    say("CALLS", n=calls())


def save_loop(data: Path, course: Any) -> None:
    """Save reflections (and edit each once, and note progress) until killed."""
    from course.learner.progress import Place
    from course.learner.study import Study

    study = Study(course, data, "en")
    say("READY")
    n = 0
    while True:
        n += 1
        text = f"Reflektion {n} {os.getpid()}: åäö 🙂\nrad två"
        say("BEGIN", kind="reflection", text=text)
        r = study.save_reflection(LESSON, PROMPTS[n % 2], text, None)
        say("SAVED", kind="reflection", lesson=r.lesson, id=r.id, text=r.text)
        if n % 3 == 0:
            say("BEGIN", kind="edit", id=r.id, text=text + " (ändrad)")
            e = study.save_reflection(LESSON, r.prompt, text + " (ändrad)", r)
            say("SAVED", kind="edit", lesson=e.lesson, id=e.id, text=e.text)
        if n % 4 == 0:
            scroll = time.time_ns() // 1000  # grows across workers, so the latest saved place is known
            say("BEGIN", kind="go", scroll=scroll)
            study.go(Place(LESSON, "lesson", scroll=scroll))
            say("SAVED", kind="go", scroll=scroll)


def _into(out: str) -> None:
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(fd, 1)
    os.close(fd)


def serve() -> int:
    from course.content.loader import load_course
    from course.learner.practice import Practice
    from course.learner.study import Study

    course = load_course(REPO)
    del Practice, Study  # imported once here, so a forked worker starts saving at once
    print("READY", flush=True)
    for line in sys.stdin:
        cmd, *args = line.split()
        if cmd == "quit":
            break
        sys.stdout.flush()
        if cmd == "run":
            data, out, k, phase = args
            pid = os.fork()
            if pid == 0:
                code = 0
                try:
                    _into(out)
                    scenario(Path(data), course, int(k), phase)
                except BaseException as err:
                    print("EXCEPTION", repr(err), flush=True)
                    code = 2
                finally:
                    os._exit(code)
            _, status = os.waitpid(pid, 0)
        elif cmd == "loop":
            data, out, ms = args
            ready_r, ready_w = os.pipe()
            pid = os.fork()
            if pid == 0:
                code = 0
                try:
                    os.close(ready_r)
                    _into(out)
                    os.write(ready_w, b"x")  # before Study: its start-up checks are part of what may be killed
                    os.close(ready_w)
                    save_loop(Path(data), course)
                except BaseException as err:
                    print("EXCEPTION", repr(err), flush=True)
                    code = 2
                finally:
                    os._exit(code)
            os.close(ready_w)
            os.read(ready_r, 1)
            os.close(ready_r)
            time.sleep(float(ms) / 1000)
            os.kill(pid, signal.SIGKILL)
            _, status = os.waitpid(pid, 0)
        else:
            print(f"UNKNOWN {cmd}", flush=True)
            continue
        print(f"DONE {status}", flush=True)
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["serve", "rosave", "journal-add", "attempts"])
    parser.add_argument("--data", type=Path)
    parser.add_argument("--worker", type=int, default=0)
    parser.add_argument("--count", type=int, default=0)
    args = parser.parse_args(argv)
    if args.mode == "serve":
        return serve()
    if args.mode == "rosave":
        from course.content.loader import load_course
        from course.errors import StorageError
        from course.learner.study import Study

        study = Study(load_course(REPO), args.data, "en")
        try:
            study.save_reflection(LESSON, PROMPTS[0], "Skrivet på en skrivskyddad disk.", None)
        except StorageError as err:
            print("ERROR", err, flush=True)
            return 3
        print("SAVED", flush=True)
        return 0
    if args.mode == "journal-add":
        import functools

        import course.cli.main
        import course.content.loader
        from course.cli.main import main as tillit

        # The real command, minus re-reading the course 100 times (90 ms each): same Study, same saves.
        setattr(course.cli.main, "load_course", functools.cache(course.content.loader.load_course))  # noqa: B010
        for n in range(args.count):
            code = tillit(
                ["journal", "--data", str(args.data), "add", "--tag", f"w{args.worker}", f"w{args.worker}-{n}"]
            )
            if code != 0:
                return code
        return 0
    from course.learner.progress import Attempt, AttemptStore

    store = AttemptStore(args.data, [])
    base = datetime(2025, 5, 21, tzinfo=UTC)
    for n in range(args.count):
        t = base + timedelta(seconds=args.worker * 1000 + n)
        store.add(LESSON, Attempt(t, t, n % 6, 5, n % 6 >= 4, {"who": (f"w{args.worker}-{n}",)}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
