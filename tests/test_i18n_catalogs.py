"""The UI catalogs: complete in every language, checked by `tillit check`, and a third language from files alone."""

from __future__ import annotations

import ast
import re
import shutil
import string
import tomllib
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from course.cli.main import main
from course.content.loader import check_course, load_course
from course.i18n import STRINGS, catalogs, formats, language_name, tr
from course.learner.study import Study, detect_language
from course.tui.app import TillitApp, make_app
from tests.tui_helpers import screen_text, shows, toasts, until

from .conftest import REPO

OWN = Path(catalogs.__file__).parent
NAMES = "language.names."


@pytest.fixture(autouse=True)
def fresh_catalogs() -> Iterator[None]:
    """Every test starts and ends with only Tillit's own catalogs (a course's would leak otherwise)."""
    catalogs.forget()
    yield
    catalogs.forget()


def read_catalog(path: Path) -> dict[str, Any]:
    return catalogs.flatten(tomllib.loads(path.read_text(encoding="utf-8")))


def placeholders(text: str) -> set[str]:
    return {f"{{{name}}}" for _lit, name, _spec, _conv in string.Formatter().parse(text) if name is not None}


# --- Tillit's own catalogs ---------------------------------------------------------------------------------


def test_tillit_has_a_catalog_for_swedish_and_english_and_english_is_the_reference() -> None:
    assert set(catalogs.own_languages()) >= {"sv", "en"}
    assert catalogs.REFERENCE == "en"
    assert (OWN / "en.toml").is_file() and (OWN / "sv.toml").is_file()


@pytest.mark.parametrize("path", sorted(OWN.glob("*.toml")), ids=lambda p: p.name)
def test_every_catalog_has_exactly_the_reference_keys_with_the_same_placeholders(path: Path) -> None:
    reference = read_catalog(OWN / "en.toml")
    found = read_catalog(path)
    wanted = {key for key in reference if not key.startswith(NAMES)}
    have = {key for key in found if not key.startswith(NAMES)}
    assert sorted(wanted - have) == [], f"{path.name} lacks these keys"
    assert sorted(have - wanted) == [], f"{path.name} has keys the reference does not"
    for key in wanted:
        assert isinstance(found[key], str), key
        assert placeholders(found[key]) == placeholders(reference[key]), f"{path.name}: {key}"
    for key, value in found.items():
        if key.startswith(NAMES):
            assert re.fullmatch(r"[a-z]{2,3}", key[len(NAMES) :]) and isinstance(value, str) and value.strip()
    assert len(found["format.months"].split()) == 12
    assert catalogs.problems(path, path.read_text(encoding="utf-8")) == []
    assert catalogs.own_name(path.stem) == found["language.name"]  # the quick look F2's label takes


def test_no_ui_string_table_is_left_in_python() -> None:
    """Every text table went into the catalogs: no module of Tillit writes a {"sv": …, "en": …} table."""
    tables = []
    for module in (REPO / "course").rglob("*.py"):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Dict) and {"sv", "en"} & {
                k.value for k in node.keys if isinstance(k, ast.Constant)
            }:
                tables.append(f"{module.relative_to(REPO)}:{node.lineno}")
    assert tables == []


def test_no_pair_of_languages_is_hard_coded() -> None:
    hits = []
    for module in (REPO / "course").rglob("*.py"):
        for n, line in enumerate(module.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(
                r"""\(\s*["']sv["']\s*,\s*["']en["']\s*\)|lang\s*[!=]=\s*["'](sv|en)["']|["']sv["'] if""", line
            ):
                hits.append(f"{module.relative_to(REPO)}:{n}")
    assert hits == []


def test_the_one_table_view_keeps_its_shape() -> None:
    assert STRINGS["quiz.check"] == {"sv": "Rätta svaret", "en": "Check answer"}
    assert "quiz.check" in STRINGS and "quiz.nope" not in STRINGS
    assert not any(key.startswith(NAMES) for key in STRINGS)


def test_the_language_switch_names_the_other_language_as_before() -> None:
    assert (language_name("en"), language_name("sv")) == ("English", "Svenska")
    assert tr("cmd.language", "sv", language=language_name("en", "sv")) == "Byt språk till engelska"
    assert tr("cmd.language", "en", language=language_name("sv", "en")) == "Switch language to Swedish"


# --- numbers, dates and plurals ----------------------------------------------------------------------------


def test_numbers_lengths_dates_and_plurals_read_as_before() -> None:
    assert [formats.number(3.44, lang) for lang in ("sv", "en")] == ["3,4", "3.4"]
    assert formats.number(-1.25, "sv", 2) == "\u22121,25"
    assert [formats.signed(v, "sv") for v in (0.4, -1.2, 0.0)] == ["+0,4", "\u22121,2", "0,0"]
    assert [formats.percent(40, lang) for lang in ("sv", "en")] == ["40 %", "40%"]
    assert [formats.duration(m, "en") for m in (5, 60, 90)] == ["5 min", "1 h", "1 h 30 min"]
    assert [formats.duration(m, "sv") for m in (45, 120, 95)] == ["45 min", "2 tim", "1 tim 35 min"]
    assert formats.long_day(date(2025, 9, 3), "en") == "3 September 2025"
    assert formats.long_day(date(2025, 9, 3), "sv") == "3 september 2025"
    moment = datetime(2026, 12, 3, 9, 5, 7)
    assert (formats.day(moment.date(), "sv"), formats.moment(moment, "sv")) == ("2026-12-03", "2026-12-03 09:05")
    assert (formats.clock(time(9, 5), "en"), formats.clock(moment, "en", seconds=True)) == ("09:05", "09:05:07")
    assert formats.plural("share.confirm", 1, "en").startswith("1 reflection will")
    assert formats.plural("share.confirm", 2, "sv").startswith("2 reflektioner delas")


# --- what check says about a catalog ------------------------------------------------------------------------


def test_a_missing_key_is_named_with_the_file() -> None:
    text = (OWN / "en.toml").read_text(encoding="utf-8")
    broken = re.sub(r'^"quiz\.check" = .*\n', "", text, flags=re.M)
    broken = re.sub(r'^"key\.quit" = .*\n', "", broken, flags=re.M)
    path = Path("/x/fi.toml")
    (problem,) = catalogs.problems(path, broken)
    assert (problem.file, problem.line) == (path, 1)
    assert problem.problem == "2 keys are missing from the catalog: key.quit, quiz.check"
    assert str(OWN / "en.toml") in problem.fix


def test_wrong_placeholders_unknown_keys_and_bad_values_are_each_a_problem_at_their_line() -> None:
    text = "\n".join(
        [
            '"quiz.score" = "{points} av {max} ({procent} %)"',
            '"quiz.chek" = "Rätta"',
            '"quiz.title" = 3',
            '"quiz.counter" = "Fråga {n} av {total"',
            '"reflect.title" = "{title.__class__}"',
            '"format.months" = "jan feb"',
            f'"{NAMES}fi" = "finska"',
            f'"{NAMES}FI!" = "?"',
        ]
    )
    found = {p.line: p.problem for p in catalogs.problems(Path("fi.toml"), text)}
    assert "{percent}" in found[1] and "{procent}" in found[1]
    assert found[2] == "'quiz.chek' is not a key Tillit knows (did you mean 'quiz.check'?)"
    assert found[3] == "'quiz.title' should be text"
    assert "braces that do not pair up" in found[4]
    assert "{title.__class__}" in found[5]
    assert found[6] == "'format.months' should name twelve months"
    assert 7 not in found
    assert "language's name" in found[8]


def test_a_catalog_that_is_not_toml_is_one_problem_at_its_line() -> None:
    (problem,) = catalogs.problems(Path("fi.toml"), '"key.quit" = "Lopeta"\n"key.help" = \n')
    assert problem.line == 2 and problem.problem.startswith("TOML syntax error")


def test_at_run_time_a_text_a_catalog_lacks_or_gets_wrong_comes_from_the_reference(tmp_path: Path) -> None:
    catalogs.add(
        "xx", {"key.quit": "Xquit", "quiz.score": "{points} {oops}", "reflect.title": "{title.__init__}"}, tmp_path
    )
    assert tr("key.quit", "xx") == "Xquit"
    assert tr("key.help", "xx") == "Help"  # missing: the reference's text, never a crash
    assert tr("quiz.score", "xx", points=1, max=2, percent=50) == "Score: 1 of 2 points (50%)"
    assert tr("reflect.title", "xx", title="T") == "Reflection: T"  # never filled in from a course's format
    with pytest.raises(KeyError):
        tr("no.such.key", "xx")  # a key no catalog has is a mistake in Tillit itself
    catalogs._read["en"] = {**catalogs.catalog("en"), "key.help": "Help {broken"}
    assert tr("key.help", "en", n=1) == "Help {broken"  # not even the reference can be filled in: shown as it is


def test_the_locale_picks_any_language_there_is_a_catalog_of(tmp_path: Path) -> None:
    assert detect_language({"LANG": "fi_FI.UTF-8"}) == "en"
    catalogs.add("fi", {"key.quit": "Lopeta"}, tmp_path / "fi.toml")
    assert detect_language({"LANG": "fi_FI.UTF-8"}) == "fi"
    assert detect_language({"LANGUAGE": "fi:en"}) == "fi"
    assert detect_language({"LANG": "C.UTF-8"}) == "en"


def test_a_browser_gets_its_first_language_when_the_course_has_it(tmp_path: Path) -> None:
    from dataclasses import replace

    from course.web.serve import prepare
    from course.web.server import browser_lang

    plan = prepare(REPO, tmp_path / "d", probe_port=False)
    assert plan.languages == ("sv", "en")
    assert [browser_lang(plan, header) for header in ("sv-SE,sv;q=0.9", "en-GB", "fi-FI,fi", None)] == [
        "sv",
        "en",
        "en",
        "en",
    ]
    assert browser_lang(replace(plan, languages=("sv", "en", "fi")), "fi-FI,fi") == "fi"
    assert browser_lang(replace(plan, lang="sv"), "en-GB") == "sv"  # the server's --lang wins


# --- a third language from files alone ------------------------------------------------------------------------


XX_TEXTS = {
    "language.name": "Xxisk",
    "language.switched": "Xx-språk: xxisk",
    "key.quit": "Xquit",
    "key.help": "Xhelp",
    "home.progress.many": "{done} xx {total} xx ({percent} xx)",
}


def with_xx(value: Any) -> Any:
    """A course file's data with an "xx" text next to every "en" one (copied from it)."""
    if isinstance(value, dict):
        out = {key: with_xx(item) for key, item in value.items()}
        if "en" in out and "xx" not in out:
            out["xx"] = out["en"]
        return out
    if isinstance(value, list):
        return [with_xx(item) for item in value]
    return value


def xx_catalog(leave_out: tuple[str, ...] = ()) -> str:
    """en.toml with the texts of XX_TEXTS changed, and the keys `leave_out` left out."""
    lines = []
    for line in (OWN / "en.toml").read_text(encoding="utf-8").splitlines():
        key = re.match(r'^"([^"]+)" = ', line)
        if key and key.group(1) in leave_out:
            continue
        if key and key.group(1) in XX_TEXTS:
            line = f'"{key.group(1)}" = "{XX_TEXTS[key.group(1)]}"'
        lines.append(line)
    return "\n".join(lines) + "\n"


@pytest.fixture
def xx_course(tmp_path: Path) -> Path:
    """The built-in course with a third language, "xx": its content copied from English, its course.toml
    naming it, and its UI catalog in the course's own i18n/ folder. Not one file of Tillit changes."""
    root = tmp_path / "course"
    shutil.copytree(REPO / "lessons", root / "lessons", ignore=shutil.ignore_patterns("plans"))
    shutil.copytree(REPO / "quizzes", root / "quizzes")
    for name in ("course.toml", "about.toml", "self-assessment.toml"):
        path = root / "lessons" / name
        data = with_xx(tomllib.loads(path.read_text(encoding="utf-8")))
        if name == "course.toml":
            data["languages"] = ["sv", "en", "xx"]
        path.write_text(tomli_w.dumps(data), encoding="utf-8")
    shutil.copytree(root / "lessons" / "en", root / "lessons" / "xx")
    shutil.copytree(root / "quizzes" / "en", root / "quizzes" / "xx")
    (root / "i18n").mkdir()
    (root / "i18n" / "xx.toml").write_text(xx_catalog(), encoding="utf-8")
    return root


def test_tillit_check_passes_for_a_third_language(xx_course: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert check_course(xx_course) == []
    assert main(["check", "--course", str(xx_course)]) == 0
    assert "lessons in sv, en, xx" in capsys.readouterr().out


def test_the_command_line_takes_the_third_language(
    xx_course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    opened: list[Study] = []
    monkeypatch.setattr(TillitApp, "run", lambda app: opened.append(app.study))
    assert main(["--course", str(xx_course), "--data", str(tmp_path / "d"), "--lang", "xx"]) == 0
    assert [s.lang for s in opened] == ["xx"]
    assert tr("key.quit", "xx") == "Xquit"
    with pytest.raises(SystemExit):
        main(["--help", "--course", str(xx_course)])
    assert "--lang {sv,en,xx}" in capsys.readouterr().out
    with pytest.raises(SystemExit) as refused:
        main(["--lang", "xx", "--data", str(tmp_path / "d")])  # the built-in course has no xx
    assert refused.value.code == 2
    assert "invalid choice: 'xx'" in capsys.readouterr().err


async def test_f2_cycles_through_every_language_of_the_course(xx_course: Path, tmp_path: Path) -> None:
    app = make_app(Study(load_course(xx_course), tmp_path / "d", "sv"))
    async with app.run_test(size=(140, 30)) as pilot:  # wide enough for the whole footer
        await until(pilot, lambda: "0 av 10 lektioner klara" in screen_text(app) and "English" in screen_text(app))
        assert "English" in screen_text(app)  # F2 names the language it switches to
        await pilot.press("f2")
        await until(pilot, shows(app, "0 of 10 lessons completed"))
        assert app.study.lang == "en" and "Xxisk" in screen_text(app)
        await pilot.press("f2")
        await until(pilot, shows(app, "0 xx 10 xx (0 xx)"))
        assert app.study.lang == "xx" and "Xquit" in screen_text(app) and "Svenska" in screen_text(app)
        assert "Xx-språk: xxisk" in toasts(app)
        await pilot.press("f2")
        await until(pilot, shows(app, "0 av 10 lektioner klara"))
        assert app.study.lang == "sv"


def test_a_missing_key_in_a_course_catalog_is_reported_and_never_stops_the_course(
    xx_course: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    catalog = xx_course / "i18n" / "xx.toml"
    catalog.write_text(xx_catalog(leave_out=("key.help", "quiz.check")), encoding="utf-8")
    assert main(["check", "--course", str(xx_course)]) == 1
    out = capsys.readouterr().out
    assert f"{catalog}:1: 2 keys are missing from the catalog: key.help, quiz.check — add them" in out
    course = load_course(xx_course)  # the learner's session still opens
    assert Study(course, tmp_path / "d", "xx").lang == "xx"
    assert tr("key.quit", "xx") == "Xquit" and tr("key.help", "xx") == "Help"


def test_a_course_language_without_a_catalog_and_a_catalog_for_tillits_language_are_problems(xx_course: Path) -> None:
    (xx_course / "i18n" / "xx.toml").rename(xx_course / "i18n" / "sv.toml")
    found = {(p.file.name, p.problem) for p in check_course(xx_course)}
    assert ("course.toml", "there is no catalog of Tillit's texts in 'xx'") in found
    assert ("sv.toml", "Tillit has its own catalog in 'sv', so this file is not used") in found
    load_course(xx_course)
    assert tr("quiz.check", "sv") == "Rätta svaret"  # Tillit's own Swedish is never replaced


def test_a_course_catalog_is_made_inert_and_its_formats_cannot_reach_into_values(xx_course: Path) -> None:
    catalog = xx_course / "i18n" / "xx.toml"
    text = xx_catalog().replace('"Xquit"', '"X\\u001b]0;pwned\\u0007quit"')
    text = re.sub(r'^"reflect\.title" = .*$', '"reflect.title" = "{title.__class__}"', text, flags=re.M)
    catalog.write_text(text, encoding="utf-8")
    problems = check_course(xx_course)
    assert [p.line for p in problems] == [text.splitlines().index('"reflect.title" = "{title.__class__}"') + 1]
    load_course(xx_course)
    assert tr("key.quit", "xx") == "X␛]0;pwned␇quit"
    assert tr("reflect.title", "xx", title="T") == "Reflection: T"
