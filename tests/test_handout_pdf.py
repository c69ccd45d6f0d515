"""Handouts printed to PDF by headless Chromium: A4, a cover, and every lesson starting on a page of its own."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from datetime import date, time
from pathlib import Path

import pytest

from course.content.model import Course
from course.render.handout import AUDIENCES, LABELS, render_handout
from course.store.storage import write_new_file
from course.trainer.plan import Block, Plan

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PDFTOTEXT = shutil.which("pdftotext")

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (no `chromium` on PATH), so handouts cannot be printed to PDF"
)

LANGS = ("sv", "en")
A4 = (595.28, 841.89)  # points
PAGE = re.compile(rb"/Type\s*/Page(?![A-Za-z])")
MEDIABOX = re.compile(rb"/MediaBox\s*\[\s*([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s*\]")


def session_plan() -> Plan:
    """A morning covering three lessons, with a break and an exercise."""
    return Plan(
        path=Path("session.toml"),
        title="Ledardag / Leadership day",
        date=date(2025, 9, 3),
        place="Sundsvall",
        lang=None,
        start=time(9, 0),
        blocks=(
            Block(kind="lesson", minutes=20, lesson="trust-culture", title="", notes="Start with names.", line=1),
            Block(kind="discussion", minutes=25, lesson="trust-culture", title="", notes="", line=2),
            Block(kind="break", minutes=15, lesson=None, title="", notes="", line=3),
            Block(kind="lesson", minutes=20, lesson="courage-to-let-go", title="", notes="", line=4),
            Block(kind="quiz", minutes=10, lesson="courage-to-let-go", title="", notes="Together.", line=5),
            Block(
                kind="exercise", minutes=30, lesson=None, title="Case: home care", notes="Hand out the case.", line=6
            ),
            Block(kind="lesson", minutes=20, lesson="hr-role", title="", notes="", line=7),
        ),
    )


def print_pdf(html: Path, pdf: Path, profile: Path) -> None:
    assert CHROMIUM is not None
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-extensions",
        "--no-pdf-header-footer",
        f"--user-data-dir={profile}",
        f"--print-to-pdf={pdf}",
        html.as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]


Printed = Callable[[str, str], Path]


@pytest.fixture(scope="module")
def printed(course: Course, tmp_path_factory: pytest.TempPathFactory) -> Printed:
    """(audience, lang) -> the handout for session_plan() printed to PDF, printed once per module."""
    folder = tmp_path_factory.mktemp("handouts")
    cache: dict[tuple[str, str], Path] = {}

    def get(audience: str, lang: str) -> Path:
        if (audience, lang) not in cache:
            plan = session_plan()
            html = folder / f"{audience}-{lang}.html"
            write_new_file(html, render_handout(course, lang, plan.lesson_ids(), audience, "html", plan))
            pdf = folder / f"{audience}-{lang}.pdf"
            print_pdf(html, pdf, folder / "profile")
            cache[(audience, lang)] = pdf
        return cache[(audience, lang)]

    return get


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("audience", AUDIENCES)
def test_the_handout_prints_as_a4_with_a_cover_and_a_page_per_lesson(
    printed: Printed, audience: str, lang: str
) -> None:
    pdf = printed(audience, lang)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    pages = len(PAGE.findall(data))
    assert pages >= len(session_plan().lesson_ids()) + 1
    boxes = MEDIABOX.findall(data)
    assert boxes, "the PDF has no MediaBox"
    for box in boxes:
        x0, y0, x1, y1 = (float(v) for v in box)
        assert (round(x1 - x0), round(y1 - y0)) == (round(A4[0]), round(A4[1]))


@pytest.mark.skipif(PDFTOTEXT is None, reason="pdftotext (poppler-utils) is not installed, so pages cannot be read")
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("audience", AUDIENCES)
def test_each_lesson_starts_a_new_page_and_the_cover_is_first(
    course: Course, printed: Printed, audience: str, lang: str
) -> None:
    assert PDFTOTEXT is not None
    pdf = printed(audience, lang)
    done = subprocess.run([PDFTOTEXT, "-layout", str(pdf), "-"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    pages = [" ".join(p.split()) for p in done.stdout.split("\f") if p.strip()]
    labels = LABELS[lang]
    kind = labels["guide" if audience == "trainer" else "workbook"]
    assert course.title(lang) in pages[0] and kind.casefold() in pages[0].casefold()  # the kicker is in capitals
    assert "09:00–09:20" in pages[0] and "Sundsvall" in pages[0]
    ids = session_plan().lesson_ids()
    starts = []
    for lid in ids:
        lesson = course.lesson(lid, lang)
        n = course.lesson_ids.index(lid) + 1
        meta = labels["lesson_meta"].format(n=n, total=len(course.lesson_ids), minutes=lesson.minutes)
        found = [i for i, page in enumerate(pages) if page.startswith(meta)]
        assert len(found) == 1, (lid, meta)
        assert lesson.title.split()[0] in pages[found[0]]
        starts.append(found[0])
    assert starts == sorted(starts) and starts[0] == 1
    if audience == "trainer":
        assert any(labels["answer_key"] in page for page in pages)
    else:
        assert not any(labels["answer_key"] in page for page in pages)
