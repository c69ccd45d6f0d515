"""Tillit's benchmark: start-up to first paint against a bare Textual app, and journal save time.

    python bench/startup.py              # full run (15 pairs of start-ups, 200 saves of each kind)
    python bench/startup.py --quick      # a smoke run for CI (a few seconds)
    python bench/startup.py --json out.json

1. Start-up. Each run is a fresh interpreter (`sys.executable bench/firstpaint.py ...`), timed by
   this process from just before the spawn until the child reports its first paint through a pipe;
   interpreter start, imports, loading the course and the first frame are all included, which is
   what a user waits for. Tillit runs through `course.cli.main.main` with the built-in course and an
   empty data folder; the bare app is one Textual `Markdown` widget with the first lesson's body.
   Both use the same probe (see bench/firstpaint.py), headless at 80×24. Runs alternate
   (Tillit, bare), (bare, Tillit), ... and the first pair is a discarded warm-up, which also fills
   the benchmark's own bytecode cache (see `child_env`).

2. Journal. Fills a journal with 10,000 reflections (written directly in the store's own file
   format, spread over the course's lessons), then times `Study.save_reflection` for a new
   reflection and for an edit, interleaved with the same saves in a journal that starts empty.
   Saves fsync, so the figures depend on the disk they run on (shown in the report).

Exit status is 0 when everything ran (targets missed are reported, not failed), 1 when a child
failed or a check did not hold.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from importlib.metadata import version
from pathlib import Path
from typing import Any

from course.content.loader import load_course
from course.content.model import Course
from course.learner.journal import Reflection
from course.learner.study import Study
from course.store import storage
from course.store.paths import builtin_course_dir

RUNNER = Path(__file__).resolve().parent / "firstpaint.py"
FD_VAR = "TILLIT_BENCH_FD"
NEEDLE_VAR = "TILLIT_BENCH_NEEDLE"
REPORT = b"painted "
CHILD_TIMEOUT = 60.0
LANG = "en"
STARTUP_TARGET = 1.3
SAVE_TARGET_MS = 20.0
NEEDLE_CHARS = 30


class BenchError(Exception):
    """A measurement could not be taken (a child failed, or a check did not hold)."""


@dataclass(frozen=True)
class Summary:
    """Median and 90th percentile of a set of samples (in the samples' unit)."""

    median: float
    p90: float
    low: float
    high: float
    samples: tuple[float, ...] = field(repr=False)

    @classmethod
    def of(cls, samples: list[float]) -> Summary:
        """Summarise `samples` (at least one)."""
        if not samples:
            raise BenchError("no samples")
        p90 = statistics.quantiles(samples, n=10, method="inclusive")[-1] if len(samples) > 1 else samples[0]
        return cls(statistics.median(samples), p90, min(samples), max(samples), tuple(samples))

    def as_json(self) -> dict[str, Any]:
        """The summary and its samples, for --json."""
        return {
            "median": self.median,
            "p90": self.p90,
            "min": self.low,
            "max": self.high,
            "samples": list(self.samples),
        }


# --- the environment ---------------------------------------------------------------------------------


def filesystem_of(path: Path) -> str:
    """The file-system type and device `path` lives on (Linux), else '?'."""
    best, kind = "", "?"
    try:
        with open("/proc/mounts", encoding="utf-8") as mounts:
            for line in mounts:
                parts = line.split()
                if len(parts) >= 3:
                    device, mount_point, fs_type = parts[0], parts[1], parts[2]
                    inside = str(path).startswith(mount_point.rstrip("/") + "/") or str(path) == mount_point
                    if inside and len(mount_point) > len(best):
                        best, kind = mount_point, f"{fs_type} on {device}"
    except OSError:
        pass
    return kind


def environment(work: Path) -> dict[str, Any]:
    """What the figures were measured on."""
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "textual": version("textual"),
        "tillit": version("tillit"),
        "cpus": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "platform": platform.platform(terse=True),
        "data_filesystem": filesystem_of(work.resolve()),
    }


def describe(env: dict[str, Any]) -> str:
    """The environment in one line."""
    return (
        f"Python {env['python']} ({env['implementation']}), Textual {env['textual']}, Tillit {env['tillit']}, "
        f"{env['cpus']} CPUs ({env['cpus_usable']} usable), {env['platform']}, data on {env['data_filesystem']}"
    )


# --- 1. start-up to first paint ------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """One app to start: how the runner is called and what its first paint shows."""

    kind: str
    argument: str
    needle: str


def targets(course: Course, work: Path) -> tuple[Target, Target]:
    """Tillit and the bare app, each with the text that marks its first paint."""
    first = course.lesson(course.lesson_ids[0], LANG)
    # The Continue button names the first lesson, so only a later lesson's title proves the table is
    # filled; the second one, because a long course does not fit on an 80x24 screen.
    later = course.lesson(course.lesson_ids[min(1, len(course.lesson_ids) - 1)], LANG)
    heading = next(line for line in first.body.splitlines() if line.strip()).lstrip("#").strip()
    tillit = Target("tillit", str(work), later.title[:NEEDLE_CHARS])
    bare = Target("bare", str(first.path), heading[:NEEDLE_CHARS])
    return tillit, bare


def child_env(needle: str, report_fd: int, work: Path) -> dict[str, str]:
    """The parent's environment without Textual settings (devtools, screenshots), plus the probe's.

    Bytecode goes to a cache of the benchmark's own (PYTHONPYCACHEPREFIX), filled by the warm-up
    pair, so that both apps start from compiled modules as they would after `pip install` or a first
    run, even where PYTHONDONTWRITEBYTECODE is set, and without writing into the checkout.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEXTUAL")}
    env.pop("TILLIT_DATA", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    env[FD_VAR] = str(report_fd)
    env[NEEDLE_VAR] = needle
    return env


def start_once(target: Target, work: Path) -> tuple[float, float]:
    """Wall seconds from spawning a fresh interpreter to its first paint, and the child's CPU seconds by then."""
    argument = target.argument
    if target.kind == "tillit":
        argument = tempfile.mkdtemp(prefix="data-", dir=work)  # an empty data folder, made before the clock starts
    read_fd, write_fd = os.pipe()
    env = child_env(target.needle, write_fd, work)
    with tempfile.TemporaryFile(dir=work) as errors:
        try:
            started = time.perf_counter()
            proc = subprocess.Popen(
                [sys.executable, str(RUNNER), target.kind, argument],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=errors,
                pass_fds=(write_fd,),
                env=env,
            )
            os.close(write_fd)
            ready, _, _ = select.select([read_fd], [], [], CHILD_TIMEOUT)
            line = os.read(read_fd, 64) if ready else b""
            painted = time.perf_counter()
        finally:
            os.close(read_fd)
        try:
            code = proc.wait(timeout=CHILD_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            code = -9
        if not line.startswith(REPORT) or code != 0:
            errors.seek(0)
            tail = errors.read().decode("utf-8", "replace")[-2000:]
            raise BenchError(f"{target.kind} did not report a first paint (report {line!r}, exit {code}):\n{tail}")
    if target.kind == "tillit":
        shutil.rmtree(argument, ignore_errors=True)
    return painted - started, float(line.removeprefix(REPORT))


@dataclass(frozen=True)
class StartupResult:
    """Start-up times in seconds for both apps: wall time (the measure) and the child's CPU time."""

    tillit: Summary
    bare: Summary
    tillit_cpu: Summary
    bare_cpu: Summary

    @property
    def ratio(self) -> float:
        """Tillit's median wall time over the bare app's."""
        return self.tillit.median / self.bare.median

    @property
    def cpu_ratio(self) -> float:
        """Tillit's median CPU time over the bare app's (less sensitive to a busy machine)."""
        return self.tillit_cpu.median / self.bare_cpu.median


def bench_startup(tillit: Target, bare: Target, runs: int, warmup: int, work: Path) -> StartupResult:
    """Alternate pairs of start-ups, (Tillit, bare) then (bare, Tillit), after `warmup` discarded pairs."""
    wall: dict[str, list[float]] = {"tillit": [], "bare": []}
    cpu: dict[str, list[float]] = {"tillit": [], "bare": []}
    for i in range(warmup + runs):
        pair = (tillit, bare) if i % 2 == 0 else (bare, tillit)
        for target in pair:
            seconds, cpu_seconds = start_once(target, work)
            if i >= warmup:
                wall[target.kind].append(seconds)
                cpu[target.kind].append(cpu_seconds)
        print(".", end="", flush=True)
    print()
    return StartupResult(*(Summary.of(d[k]) for d in (wall, cpu) for k in ("tillit", "bare")))


# --- 2. saving a reflection -----------------------------------------------------------------------------

TEXT = (
    "Last week I asked the team to decide the rota themselves instead of setting it for them.\n"
    "It went better than I feared: two people swapped shifts to cover the school holidays.\n\n"
    "Next time I want to say earlier what the frame is, so the room to act is clear from the start."
)


def prefill(course: Course, data_dir: Path, count: int) -> list[Reflection]:
    """Write `count` reflections straight to disk in the journal's own format (no fsync); return them."""
    lessons = [(lid, [p.id for p in course.lesson(lid, LANG).prompts]) for lid in course.lesson_ids]
    start = datetime(2024, 1, 1, 8, 0, tzinfo=UTC)
    made: list[Reflection] = []
    for n in range(count):
        lesson_id, prompts = lessons[n % len(lessons)]
        created = start + timedelta(minutes=7 * n)
        updated = created + timedelta(minutes=n % 3)
        rid = f"{created:%Y%m%d-%H%M%S}-{n:06x}"
        reflection = Reflection(rid, lesson_id, prompts[n % len(prompts)], f"Reflection {n}.\n{TEXT}", created, updated)
        folder = data_dir / "journal" / lesson_id
        if n < len(lessons):
            storage.ensure_dir(folder)
        path = folder / f"{rid}.toml"
        data = {
            "schema": storage.SCHEMA,
            "id": reflection.id,
            "lesson": reflection.lesson,
            "prompt": reflection.prompt,
            "created": reflection.created,
            "updated": reflection.updated,
            "text": reflection.text,
        }
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, storage.dumps(data, path))
        finally:
            os.close(fd)
        made.append(reflection)
    return made


@dataclass(frozen=True)
class JournalCase:
    """Save times in milliseconds for one journal size."""

    size: int
    new: Summary
    edit: Summary
    listing_ms: float
    listed: int


def bench_journal(course: Course, count: int, saves: int, work: Path) -> tuple[JournalCase, JournalCase, float]:
    """Interleaved saves into an empty journal and one holding `count` reflections; also returns the fill time."""
    empty_dir, full_dir = work / "journal-empty", work / "journal-full"
    storage.ensure_dir(full_dir)
    filled_at = time.perf_counter()
    existing = prefill(course, full_dir, count)
    fill_seconds = time.perf_counter() - filled_at
    os.sync()  # write the prefill out now, so it does not land on the first timed fsyncs
    studies = {"empty": Study(course, empty_dir, LANG), "full": Study(course, full_dir, LANG)}
    if studies["full"].journal.count() != count:
        raise BenchError(f"the prefilled journal holds {studies['full'].journal.count()} reflections, not {count}")

    lid = course.lesson_ids[0]
    listing: dict[str, float] = {}
    listed: dict[str, int] = {}
    for name, study in studies.items():
        runs = []
        for _ in range(3):
            began = time.perf_counter()
            found = study.reflections(lid)
            runs.append((time.perf_counter() - began) * 1000)
        expected = 0 if name == "empty" else sum(1 for r in existing if r.lesson == lid)
        if len(found) != expected or study.notices:
            raise BenchError(f"{name} journal lists {len(found)} reflections for {lid}, expected {expected}")
        listing[name] = statistics.median(runs)
        listed[name] = len(found)

    rng = random.Random(1)
    prompts = {other: [p.id for p in course.lesson(other, LANG).prompts] for other in course.lesson_ids}
    new: dict[str, list[float]] = {"empty": [], "full": []}
    edit: dict[str, list[float]] = {"empty": [], "full": []}
    for i in range(saves):
        lesson_id = course.lesson_ids[i % len(course.lesson_ids)]
        prompt_id = prompts[lesson_id][i % len(prompts[lesson_id])]
        order = ("empty", "full") if i % 2 == 0 else ("full", "empty")
        for name in order:
            study = studies[name]
            began = time.perf_counter()
            made = study.save_reflection(lesson_id, prompt_id, f"New {i}.\n{TEXT}", None)
            new[name].append((time.perf_counter() - began) * 1000)
            target = made if name == "empty" else rng.choice(existing)
            began = time.perf_counter()
            study.save_reflection(target.lesson, target.prompt, f"Edited {i}.\n{TEXT}", target)
            edit[name].append((time.perf_counter() - began) * 1000)
    for name, study in studies.items():
        if study.notices:
            raise BenchError(f"the {name} journal raised notices: {study.notices}")
    if studies["full"].journal.count() != count + saves:
        raise BenchError("the full journal does not hold every saved reflection")

    cases = [
        JournalCase(0 if n == "empty" else count, Summary.of(new[n]), Summary.of(edit[n]), listing[n], listed[n])
        for n in ("empty", "full")
    ]
    return cases[0], cases[1], fill_seconds


# --- reporting -----------------------------------------------------------------------------------------


def report_startup(result: StartupResult, runs: int, warmup: int) -> None:
    """Print the start-up figures."""
    print(f"Start-up to first paint, 80×24 headless, {runs} alternating pairs (+{warmup} warm-up pair discarded):")
    for name, summary in (
        ("Tillit (home screen, lesson table filled)", result.tillit),
        ("bare Textual + Markdown(lesson 1)", result.bare),
    ):
        print(
            f"  {name:<42} median {summary.median * 1000:6.0f} ms   p90 {summary.p90 * 1000:6.0f} ms"
            f"   (min {summary.low * 1000:.0f}, max {summary.high * 1000:.0f})"
        )
    verdict = "met" if result.ratio <= STARTUP_TARGET else "NOT met"
    print(f"  ratio of medians Tillit/bare: {result.ratio:.2f}×   (target ≤ {STARTUP_TARGET}×: {verdict})")
    print(
        f"  child CPU time to first paint, median: Tillit {result.tillit_cpu.median * 1000:.0f} ms, "
        f"bare {result.bare_cpu.median * 1000:.0f} ms, ratio {result.cpu_ratio:.2f}× (less affected by a busy machine)"
    )


def report_journal(empty: JournalCase, full: JournalCase, saves: int, fill_seconds: float) -> None:
    """Print the journal figures."""
    print(f"Study.save_reflection, {saves} saves of each kind per journal, interleaved, each save fsyncs:")
    print(f"  (the {full.size:,}-reflection journal was written in {fill_seconds:.1f} s, then synced)")
    for label, case in ((f"empty journal (≤{saves} by the end)", empty), (f"journal with {full.size:,}", full)):
        for kind, summary in (("new ", case.new), ("edit", case.edit)):
            figures = f"median {summary.median:6.2f} ms   p90 {summary.p90:6.2f} ms   (max {summary.high:.1f})"
            print(f"  {label:<30} {kind}  {figures}")
    worst = max(c.p90 for case in (empty, full) for c in (case.new, case.edit))
    verdict = "met" if worst < SAVE_TARGET_MS else "NOT met"
    print(f"  worst p90 {worst:.2f} ms   (target < {SAVE_TARGET_MS:.0f} ms: {verdict})")
    print(
        f"  for context, Study.reflections(one lesson), which the reflect screen runs once when it opens: "
        f"{empty.listing_ms:.1f} ms empty, {full.listing_ms:.0f} ms with {full.listed:,} in that lesson"
    )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description="Benchmark Tillit's start-up and journal saves.")
    parser.add_argument("--runs", type=int, default=15, help="start-up pairs to time (default 15)")
    parser.add_argument("--warmup", type=int, default=1, help="start-up pairs to run first and discard (default 1)")
    parser.add_argument("--saves", type=int, default=200, help="saves of each kind per journal (default 200)")
    parser.add_argument("--journal", type=int, default=10_000, help="reflections in the full journal (default 10000)")
    parser.add_argument("--quick", action="store_true", help="a short smoke run: 3 pairs, 20 saves, 2,000 reflections")
    parser.add_argument("--json", metavar="PATH", type=Path, help="also write the figures as JSON to PATH")
    parser.add_argument(
        "--dir", metavar="DIR", type=Path, help="where to put the temporary data (default: the system temp folder)"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.runs, args.saves, args.journal = 3, 20, 2_000
    if args.runs < 2 or args.saves < 2 or args.journal < 2 or args.warmup < 0:
        parser.error("--runs, --saves and --journal must be at least 2, --warmup at least 0")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run both benchmarks, print the figures, and write them as JSON when asked."""
    args = parse_args(argv)
    began = time.perf_counter()
    course = load_course(builtin_course_dir())
    work = Path(tempfile.mkdtemp(prefix="tillit-bench-", dir=args.dir))
    try:
        env = environment(work)
        print(describe(env))
        print()
        tillit, bare = targets(course, work)
        startup = bench_startup(tillit, bare, args.runs, args.warmup, work)
        report_startup(startup, args.runs, args.warmup)
        print()
        empty, full, fill_seconds = bench_journal(course, args.journal, args.saves, work)
        report_journal(empty, full, args.saves, fill_seconds)
    except BenchError as err:
        print(f"\nbench: {err}", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(work, ignore_errors=True)
    elapsed = time.perf_counter() - began
    print(f"\nbenchmark took {elapsed:.0f} s")
    if args.json is not None:
        figures = {
            "environment": env,
            "options": {"runs": args.runs, "warmup": args.warmup, "saves": args.saves, "journal": args.journal},
            "startup_seconds": {
                "tillit": startup.tillit.as_json(),
                "bare": startup.bare.as_json(),
                "ratio": startup.ratio,
                "tillit_cpu": startup.tillit_cpu.as_json(),
                "bare_cpu": startup.bare_cpu.as_json(),
                "cpu_ratio": startup.cpu_ratio,
            },
            "save_ms": {
                str(case.size): {
                    "new": case.new.as_json(),
                    "edit": case.edit.as_json(),
                    "list_one_lesson_ms": case.listing_ms,
                    "listed": case.listed,
                }
                for case in (empty, full)
            },
            "elapsed_seconds": elapsed,
        }
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
