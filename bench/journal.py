"""Tillit's journal at scale: a generator of realistic reflections, and the figures that matter with 10,000.

    python bench/journal.py                      # 10,000 reflections in a temporary folder
    python bench/journal.py -n 2000              # a quicker run
    python bench/journal.py --data DIR --keep    # generate into DIR (with no journal yet) and keep it
    python bench/journal.py --json out.json

1. Generate: N reflections (Swedish and English text of a few sentences, tags, stars, earlier
   versions, follow-ups of commitments), spread over the course's lessons and two years, written
   straight to disk in the journal's own file format (no fsync: this is set-up, not a save).
2. Load: `Study(...).all_reflections()`, what the journal screen does when it opens (median of 3,
   the first run shown too: it reads every TOML file and writes journal/.index.json, which the
   later runs use; the files are in the OS cache after generating them).
3. Search: `select()` with the words typed one keystroke at a time, as the journal screen does on
   every keystroke (with the prompt texts, as there), median of 5 runs each. The very first run
   folds every text (case and accents) once and is reported on its own; after that a search only
   tests substrings. Also timed: `by_date()` of the result, which the screen uses to group it.
4. Export: `tillit journal export --format html` of everything, as a user runs it (a subprocess,
   wall time from spawn to exit, interpreter start included).

Figures are reported, not asserted; the exit status is 1 only when something did not work.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from course.content.loader import load_course
from course.content.model import Course
from course.learner.journal import FOLLOW_UP_PROMPT, Reflection, Version, dump_reflection, new_id
from course.learner.journal_query import JournalFilter, by_date, select
from course.learner.study import Study
from course.render.export import prompt_texts
from course.store import storage
from course.store.paths import builtin_course_dir

SEED = 20250521
TYPED = "återkoppling team"
SV = [
    "I dag märkte jag hur mycket återkoppling betyder för gruppen.",
    "På veckomötet lät jag teamet själva bestämma hur arbetet skulle fördelas.",
    "Jag höll tillbaka mitt första svar och frågade i stället vad de tyckte.",
    "Det kändes ovant att inte ha kontroll över varje detalj, men resultatet blev bra.",
    "En medarbetare tog ansvar för en fråga som jag annars hade löst själv.",
    "Förtroende byggs i små saker: att göra det man har lovat, varje gång.",
    "Jag behöver bli tydligare med vilka ramar som gäller, så att handlingsutrymmet blir verkligt.",
    "Uppföljningen handlade om vad vi lärde oss, inte om vem som gjorde fel.",
    "Vi pratade om psykologisk trygghet och om det är okej att säga ”jag vet inte”.",
    "Jag ställde en öppen fråga och fick höra saker jag aldrig hade fått veta i ett vanligt möte.",
    "Det finns fortfarande rapporter som ingen läser; dem vill jag sluta med.",
    "Min chef litade på mig i en svår situation, och det vill jag föra vidare.",
    "Ärligt talat detaljstyrde jag igen när tiden blev knapp.",
    "Öppenhet kring beslut gör att fler vågar ta initiativ.",
    "Samarbetet med HR blev bättre när vi började med verksamhetens frågor.",
]
EN = [
    "Today I noticed how much feedback means to the group.",
    "At the weekly meeting I let the team decide how to share out the work.",
    "I held back my first answer and asked what they thought instead.",
    "Not controlling every detail felt strange, but the result was good.",
    "A colleague took responsibility for something I would otherwise have solved myself.",
    "Trust is built in small things: doing what you promised, every time.",
    "I need to be clearer about the frame, so that the room to act is real.",
    "The follow-up was about what we learned, not about who got it wrong.",
    "We talked about psychological safety and whether it is fine to say “I don't know”.",
    "I asked an open question and heard things I would never have heard in an ordinary meeting.",
    "There are still reports nobody reads; I want to stop doing those.",
    "When time ran short I micromanaged again, to be honest.",
]
TAGS = ["återkoppling", "feedback", "team", "möte", "tillit", "kontroll", "ansvar", "hr", "uppföljning", "trygghet"]


class BenchError(Exception):
    """Something did not work (as opposed to a figure that is slower than hoped)."""


def make_text(rng: random.Random) -> str:
    pool = SV if rng.random() < 0.7 else EN
    paragraphs = [" ".join(rng.sample(pool, rng.randint(1, 3))) for _ in range(rng.choice((1, 1, 1, 2, 3)))]
    return "\n\n".join(paragraphs)


def generate(course: Course, data_dir: Path, count: int, seed: int = SEED) -> list[Reflection]:
    """Write `count` realistic reflections into data_dir's journal (straight to disk, no fsync); return them."""
    rng = random.Random(seed)
    lang = course.languages[0]
    lessons = [(lid, [p.id for p in course.lesson(lid, lang).prompts]) for lid in course.lesson_ids]
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(days=730)
    made: list[Reflection] = []
    storage.ensure_dir(data_dir / "journal")
    seen: set[str] = set()
    for _ in range(count):
        lesson_id, prompts = rng.choice(lessons)
        created = start + timedelta(seconds=rng.randrange(730 * 24 * 3600))
        follow_up = rng.random() < 0.03
        prompt = FOLLOW_UP_PROMPT if follow_up else rng.choice(prompts)
        versions: tuple[Version, ...] = ()
        updated = created
        if rng.random() < 0.1:
            for _ in range(rng.randint(1, 2)):
                updated += timedelta(hours=rng.randint(1, 400))
                versions += (Version(make_text(rng), updated),)
            updated += timedelta(hours=rng.randint(1, 400))
        rid = new_id(created)
        while rid in seen:
            rid = new_id(created)
        seen.add(rid)
        reflection = Reflection(
            rid,
            lesson_id,
            prompt,
            make_text(rng),
            created,
            updated,
            tuple(sorted(set(rng.sample(TAGS, rng.choice((0, 0, 1, 1, 2, 3)))))),
            rng.random() < 0.1,
            versions,
            new_id(created - timedelta(days=14)) if follow_up else "",
        )
        folder = data_dir / "journal" / lesson_id
        if not folder.is_dir():
            storage.ensure_dir(folder)
        path = folder / f"{rid}.toml"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, storage.dumps({"schema": storage.SCHEMA, **dump_reflection(reflection)}, path))
        finally:
            os.close(fd)
        made.append(reflection)
    return made


def ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def bench_load(course: Course, data_dir: Path, count: int) -> tuple[list[Reflection], list[float]]:
    times: list[float] = []
    found: list[Reflection] = []
    for _ in range(3):
        t0 = time.perf_counter()
        study = Study(course, data_dir, "sv")
        found = study.all_reflections()
        times.append(time.perf_counter() - t0)
        if study.notices:
            raise BenchError(f"loading raised notices: {study.notices[:3]}")
    if len(found) != count:
        raise BenchError(f"the journal lists {len(found)} reflections, not {count}")
    return found, times


def bench_search(course: Course, everything: list[Reflection], repeats: int) -> list[dict[str, Any]]:
    """Each keystroke's select() (and by_date() of its result), the median of `repeats` runs.

    The very first run (the first keystroke, which folds every text) is reported on its own.
    """
    texts = prompt_texts(course, "sv")
    rows = []
    for n in range(1, len(TYPED) + 1):
        typed = TYPED[:n]
        if typed.endswith(" "):
            continue
        wanted = JournalFilter(words=typed)
        select_s: list[float] = []
        group_s: list[float] = []
        shown: list[Reflection] = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            shown = select(everything, wanted, texts)
            t1 = time.perf_counter()
            by_date(shown)
            select_s.append(t1 - t0)
            group_s.append(time.perf_counter() - t1)
        row = {"typed": typed, "shown": len(shown), "select_ms": ms(statistics.median(select_s))}
        row["by_date_ms"] = ms(statistics.median(group_s))
        if n == 1:
            row["cold_ms"] = ms(select_s[0])
        rows.append(row)
    return rows


def bench_export(course: Course, data_dir: Path, work: Path) -> tuple[float, int]:
    target = work / "journal.html"
    command = [sys.executable, "-m", "course", "journal", "export", "--format", "html"]
    command += ["--course", str(course.root), "--data", str(data_dir), "-o", str(target)]
    t0 = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    elapsed = time.perf_counter() - t0
    if done.returncode != 0:
        raise BenchError(f"the export failed: {done.stderr.strip()}")
    return elapsed, target.stat().st_size


def run(args: argparse.Namespace) -> dict[str, Any]:
    course = load_course(Path(args.course) if args.course else builtin_course_dir())
    work = Path(tempfile.mkdtemp(prefix="tillit-bench-journal-"))
    data_dir = Path(args.data).resolve() if args.data else work / "data"
    if (data_dir / "journal").exists() and any((data_dir / "journal").iterdir()):
        raise BenchError(f"{data_dir} already has a journal; choose an empty folder for --data")
    try:
        t0 = time.perf_counter()
        generate(course, data_dir, args.count)
        generated = time.perf_counter() - t0
        everything, load_times = bench_load(course, data_dir, args.count)
        searches = bench_search(course, everything, args.repeats)
        export_s, export_bytes = bench_export(course, data_dir, work)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
            if args.data:
                shutil.rmtree(data_dir / "journal", ignore_errors=True)
    typed = [row["select_ms"] for row in searches]
    return {
        "reflections": args.count,
        "repeats": args.repeats,
        "lessons": len(course.lesson_ids),
        "generate_s": round(generated, 2),
        "load_ms": {"first": ms(load_times[0]), "median": ms(statistics.median(load_times))},
        "keystrokes": searches,
        "keystroke_ms": {
            "cold_first": searches[0]["cold_ms"],
            "median": round(statistics.median(typed), 2),
            "max": max(typed),
        },
        "export_html": {"wall_s": round(export_s, 2), "bytes": export_bytes},
        "data": str(data_dir) if args.keep else None,
    }


def report(result: dict[str, Any]) -> None:
    n = result["reflections"]
    print(f"Journal with {n:,} reflections over {result['lessons']} lessons (generated in {result['generate_s']} s)")
    load = result["load_ms"]
    print(
        f"  open: Study + all_reflections()     {load['median']:8.1f} ms median of 3 (the first, before the cache: {load['first']:.0f} ms)"
    )
    print(f"  search, select() per keystroke, median of {result['repeats']} (+ by_date() of the result):")
    for row in result["keystrokes"]:
        typed = repr(row["typed"])
        print(f"    {typed:22} {row['select_ms']:7.1f} ms (+{row['by_date_ms']:5.1f} ms)  {row['shown']:6,} shown")
    keys = result["keystroke_ms"]
    print(
        f"  per keystroke: median {keys['median']:.1f} ms, max {keys['max']:.1f} ms; the very first keystroke "
        f"{keys['cold_first']:.1f} ms (it folds every text once)"
    )
    export = result["export_html"]
    print(
        f"  tillit journal export --format html (everything, subprocess): {export['wall_s']:.2f} s, "
        f"{export['bytes'] / 1e6:.1f} MB"
    )
    if result["data"]:
        print(f"  the journal is kept in {result['data']}")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Generate a large journal and time loading, search and export.")
    parser.add_argument("-n", "--count", type=int, default=10_000, help="reflections to generate (default 10000)")
    parser.add_argument("--repeats", type=int, default=5, help="runs of each keystroke's search (default 5)")
    parser.add_argument("--data", metavar="DIR", help="generate into DIR (it must have no journal yet)")
    parser.add_argument("--course", metavar="DIR", help="the course to use (default: the built-in one)")
    parser.add_argument("--keep", action="store_true", help="keep the generated journal afterwards")
    parser.add_argument("--json", metavar="FILE", help="also write the figures to FILE as JSON")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        result = run(args)
    except BenchError as err:
        print(f"bench/journal.py: {err}", file=sys.stderr)
        return 1
    report(result)
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
