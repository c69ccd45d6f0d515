"""Reading participants' share files for a trainer, safely: every file is untrusted.

Share files come from other people, so each one is size-capped before it is read (and while it is
read), must be UTF-8, is parsed in a child process with memory and CPU limits (course.store.sandbox),
and every value is checked (course.learner.share.parse_share). A bad file is skipped with one plain
sentence; the others are still read. Two files from the same participant count once (the newest
`created` wins; a `created` more than a day ahead of now is not believed, and the file's save time
is used instead). Merging what was read is course.trainer.results.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from course.learner.progress import now
from course.learner.share import MAX_SHARE_BYTES, Share, ShareFormatError, parse_share

UNSAFE = "too deeply nested or too large to read safely"
OLDER = "an older file from the same participant"
SAME = "a second copy of another file from the same participant"


@dataclass(frozen=True)
class Skipped:
    """A file that was not merged, and why (one plain English sentence, no full stop)."""

    path: Path
    reason: str


def _expand(paths: Sequence[Path]) -> tuple[list[Path], list[Skipped]]:
    """The files to read: each file given, and every *.toml directly in each folder given (sorted), once each."""
    files: list[Path] = []
    skipped: list[Skipped] = []
    seen: set[str] = set()

    def add(path: Path) -> None:
        key = os.path.realpath(path)
        if key not in seen:
            seen.add(key)
            files.append(path)

    for path in paths:
        if path.is_dir():
            try:
                found = sorted(p for p in path.iterdir() if p.suffix == ".toml")
            except OSError as err:
                skipped.append(Skipped(path, f"the folder cannot be read ({err.strerror or err})"))
                continue
            for p in found:
                add(p)
        elif not path.exists() and not path.is_symlink():
            skipped.append(Skipped(path, "the file does not exist"))
        else:
            add(path)
    return files, skipped


def _read_capped(path: Path) -> str | Skipped:
    """A share file's text, or why it is not read: not a regular file, too large, empty, not UTF-8."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # a FIFO must not block us
    except OSError as err:
        return Skipped(path, f"it cannot be read ({err.strerror or err})")
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return Skipped(path, "not a regular file")
        if info.st_size > MAX_SHARE_BYTES:
            return Skipped(path, f"larger than {MAX_SHARE_BYTES // 1024} KiB")
        chunks: list[bytes] = []
        left = MAX_SHARE_BYTES + 1  # never read more than the cap, even if the file grows meanwhile
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 16))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    except OSError as err:
        return Skipped(path, f"it cannot be read ({err.strerror or err})")
    finally:
        os.close(fd)
    raw = b"".join(chunks)
    if len(raw) > MAX_SHARE_BYTES:
        return Skipped(path, f"larger than {MAX_SHARE_BYTES // 1024} KiB")
    if not raw.strip():
        return Skipped(path, "the file is empty")
    if b"\x00" in raw:  # UTF-16 and binary files; NUL is valid UTF-8 but never in a share
        return Skipped(path, "not UTF-8 text")
    try:
        return raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        return Skipped(path, "not UTF-8 text")


def _when(share: Share, limit: datetime) -> tuple[datetime, str]:
    """When a share was made, for choosing a participant's latest file, and why that time is doubted ("" when not).

    A `created` later than `limit` (a day ahead of now) is a wrong clock or a wish to win, not a time:
    such a file is dated by when it was saved here (its mtime), and when that too is in the future it
    counts as older than every file with a believable date.
    """
    if share.created <= limit:
        return share.created, ""
    doubt = f"its date ({share.created.date().isoformat()}) is in the future"
    try:
        saved = datetime.fromtimestamp(os.stat(share.path).st_mtime, UTC)
    except (OSError, OverflowError, ValueError):
        saved = limit + timedelta(days=1)
    if saved <= limit:
        return saved, f"{doubt}, so the time the file was saved was used instead"
    return datetime.min.replace(tzinfo=UTC), f"{doubt}, and so is its save time, so it counts as the oldest"


def _latest_per_participant(shares: list[Share], skipped: list[Skipped]) -> list[Share]:
    """One share per participant id: the one created last (the first of equals); the others are Skipped.

    A file dated more than a day ahead of now does not win by its date (see _when), and the reason it
    was skipped says so."""
    limit = now() + timedelta(days=1)
    best: dict[str, tuple[Share, datetime, str]] = {}

    def older(why: str) -> str:
        return f"{OLDER}; {why}" if why else OLDER

    for share in shares:
        when, why = _when(share, limit)
        found = best.get(share.participant)
        if found is None:
            best[share.participant] = (share, when, why)
            continue
        kept, kept_when, kept_why = found
        if share.created == kept.created:
            skipped.append(Skipped(share.path, SAME))
        elif when > kept_when:
            skipped.append(Skipped(kept.path, older(kept_why)))
            best[share.participant] = (share, when, why)
        else:
            skipped.append(Skipped(share.path, older(why)))
    chosen = {id(s) for s, _, _ in best.values()}
    return [s for s in shares if id(s) in chosen]


def load_shares(paths: Sequence[Path]) -> tuple[list[Share], list[Skipped]]:
    """Read share files (a folder means every *.toml in it), safely: (shares to merge, files skipped).

    Every file is capped at MAX_SHARE_BYTES (checked before and while reading), must be UTF-8,
    is parsed in one sandboxed child process for the whole batch (memory limits, and a CPU limit per
    file), and is
    checked value by value. A file that fails any of it is Skipped with one plain sentence and the
    rest are still read. Of several files with the same participant id only the newest (`created`,
    unless that is more than a day ahead of now) is kept; the others are Skipped as "an older file
    from the same participant".
    """
    from course.store.sandbox import TomlSandbox

    files, skipped = _expand(paths)
    shares: list[Share] = []
    sandbox = TomlSandbox()
    try:
        for path in files:
            text = _read_capped(path)
            if isinstance(text, Skipped):
                skipped.append(text)
                continue
            kind, value = sandbox.parse(text)
            if kind == "limit":
                skipped.append(Skipped(path, UNSAFE))
                continue
            if kind != "ok" or not isinstance(value, dict):
                message = str(value).split(" (at line")[0] if kind == "error" else "unreadable"
                skipped.append(Skipped(path, f"not valid TOML ({message})"))
                continue
            try:
                shares.append(parse_share(value, path))
            except ShareFormatError as err:
                skipped.append(Skipped(path, err.reason))
            except (RecursionError, ValueError, TypeError):  # never expected: the checks look only at set types
                skipped.append(Skipped(path, UNSAFE))
    finally:
        sandbox.close()
    return _latest_per_participant(shares, skipped), skipped
