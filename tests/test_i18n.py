"""Error sentences in the learner's language, built from the same parts as the English one."""

from __future__ import annotations

import errno
from pathlib import Path

from course.i18n import describe
from course.store.storage import os_failure


def test_a_refused_save_reads_naturally_in_both_languages(tmp_path: Path) -> None:
    err = os_failure("save", tmp_path / "x.toml", OSError(errno.ENOSPC, "No space left on device"))
    assert str(err) == describe(err, "en")
    assert describe(err, "en") == (
        f"Could not save {tmp_path / 'x.toml'}: No space left on device; free some disk space and try again."
    )
    assert describe(err, "sv") == (
        f"Kunde inte spara {tmp_path / 'x.toml'}: No space left on device; frigör diskutrymme och försök igen."
    )


def test_other_errors_keep_their_own_sentence() -> None:
    assert describe(ValueError("plain"), "sv") == "plain"
