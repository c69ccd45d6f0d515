"""The one error hierarchy: everything a user can cause is a TillitError with a clear sentence."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class TillitError(Exception):
    """Base of every error a user can cause; `str(err)` is one sentence fit to show them."""


class UsageError(TillitError):
    """A bad command-line argument or option value."""


@dataclass(frozen=True)
class Problem:
    """One problem found in a course file: where it is, what is wrong, and what to do."""

    file: Path
    line: int
    problem: str
    fix: str

    def render(self, root: Path | None = None) -> str:
        """Return the problem as `file:line: problem — what to do`."""
        shown = self.file
        if root is not None:
            try:
                shown = self.file.relative_to(root)
            except ValueError:
                shown = self.file
        return f"{shown}:{self.line}: {self.problem} — {self.fix}"


class ContentError(TillitError):
    """A course that cannot be used; carries every problem found in it."""

    def __init__(self, problems: list[Problem], root: Path | None = None) -> None:
        self.problems = problems
        self.root = root
        first = problems[0].render(root) if problems else "the course has problems"
        more = f" (and {len(problems) - 1} more; run `tillit check` to list them)" if len(problems) > 1 else ""
        super().__init__(first + more)


class StorageError(TillitError):
    """Learner data that could not be read or written; the message names the file.

    When the operating system refused (`action` is "save", "read" or "folder"), the parts are kept
    too, so the app can say the same sentence in the learner's language.
    """

    def __init__(
        self, message: str, *, action: str = "", path: Path | None = None, reason: str = "", advice: str = ""
    ) -> None:
        super().__init__(message)
        self.action = action
        self.path = path
        self.reason = reason
        self.advice = advice


class CorruptFileError(StorageError):
    """A data file exists but cannot be understood (corrupt, truncated, wrong types)."""

    path: Path

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path} cannot be read ({reason}).", path=path, reason=reason)


class UnreadableFileError(StorageError):
    """A data file the operating system will not let Tillit read (EACCES, EIO, ...): it is skipped, never moved."""

    path: Path


class NotDataFolderError(StorageError):
    """A folder given as the data folder (or as a backup) that is not Tillit's: nothing in it is touched."""


class NewerFileError(StorageError):
    """A data file written by a newer Tillit; it is left untouched and not overwritten."""

    path: Path

    def __init__(self, path: Path, schema: int) -> None:
        super().__init__(
            f"{path} was written by a newer version of Tillit (schema {schema}); "
            "update Tillit to use it — it is left untouched.",
            path=path,
        )
