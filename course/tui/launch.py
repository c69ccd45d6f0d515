"""Open the app on a data folder: the one use case the command line and each browser session share."""

from __future__ import annotations

from course.content.loader import load_course
from course.store import paths


def run_app(locations: paths.Locations, lang: str | None) -> int:
    """Run the Textual app on `locations` until the learner quits; returns the exit code.

    The data folder is claimed for writing for the whole run. When another Tillit holds it, or the disk
    is read-only, the app opens read-only and says so. Raises TillitError before anything is shown
    when the course or the folder cannot be used.
    """
    from course.learner.study import Study
    from course.store.instance import FolderReadOnlyError, claim_writer

    course = load_course(locations.course)
    folder_read_only = False
    try:
        claim = claim_writer(locations.data)  # held for the whole run; None when another Tillit is open
    except FolderReadOnlyError:
        claim, folder_read_only = None, True  # a read-only disk: open it to read, and say so
    try:
        study = Study(course, locations.data, lang, read_only=claim is None, folder_read_only=folder_read_only)
        if lang:
            study.set_language(lang)  # --lang, given once, is remembered as a switch with f2 is
        # Textual takes about 0.2 s to import; only this path pays for it.
        from course.tui.app import make_app

        make_app(study).run()
    finally:
        if claim is not None:
            claim.release()
    return 0
