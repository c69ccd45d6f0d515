"""Where the course and the learner's data live: every path decision in one place."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "tillit"
PACKAGE_DIR = Path(__file__).resolve().parent.parent  # course/, this file being course/store/paths.py
SOURCE_ROOT = PACKAGE_DIR.parent


@dataclass(frozen=True)
class Locations:
    """The course folder in use and the data folder in use, and why each was chosen."""

    course: Path
    course_reason: str
    data: Path
    data_reason: str


def is_source_checkout() -> bool:
    """True when running from a git checkout of Tillit (not from an installed wheel)."""
    return (SOURCE_ROOT / "pyproject.toml").is_file() and (SOURCE_ROOT / "progress").is_dir()


def builtin_course_dir() -> Path:
    """The built-in course: the wheel's bundled copy, else the checkout's own folders."""
    bundled = PACKAGE_DIR / "builtin"
    if (bundled / "lessons" / "course.toml").is_file():
        return bundled
    return SOURCE_ROOT


def resolve(course: str | os.PathLike[str] | None = None, data: str | os.PathLike[str] | None = None) -> Locations:
    """Choose the course and data folders from options, the environment and the install.

    An empty `--course` or `--data` (an unset shell variable in `--data "$DIR"`) is refused with
    UsageError: it would otherwise mean the current folder.
    """
    for option, value in (("--course", course), ("--data", data)):
        if value is not None and not os.fspath(value).strip():
            from course.errors import UsageError

            raise UsageError(f"{option} was given an empty folder name; give the folder, or leave {option} out.")
    if course is not None:
        course_dir, course_reason = Path(course).expanduser().resolve(), "--course"
    else:
        course_dir, course_reason = builtin_course_dir(), "built-in course"
    env_data = os.environ.get("TILLIT_DATA")
    if data is not None:
        data_dir, data_reason = Path(data).expanduser().resolve(), "--data"
    elif env_data:
        data_dir, data_reason = Path(env_data).expanduser().resolve(), "$TILLIT_DATA"
    elif is_source_checkout():
        data_dir, data_reason = SOURCE_ROOT / "progress", "source checkout"
    else:
        # platformdirs is only needed here; importing it lazily keeps start-up lean.
        import platformdirs

        data_dir = platformdirs.user_data_path(APP_NAME, appauthor=False, ensure_exists=False)
        data_reason = "user data folder"
    return Locations(course_dir, course_reason, data_dir, data_reason)


def here() -> Path:
    """The current folder, for a suggested file name; the home folder when the current one was deleted."""
    try:
        return Path.cwd()
    except OSError:  # FileNotFoundError: the folder Tillit was started in no longer exists
        return Path.home()
