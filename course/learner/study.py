"""One learner studying one course: the single surface the TUI (and the tests) drive."""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from course.content.model import Course
from course.content.quiz import QuizResult, score, shuffle_options
from course.errors import StorageError
from course.i18n import REFERENCE, languages, tr
from course.learner.journal import JournalStore, Reflection, Version, clean_text, new_id, normalise_tags
from course.learner.progress import (
    COMPLETED,
    IN_PROGRESS,
    NOT_STARTED,
    READ,
    Attempt,
    AttemptStore,
    LessonState,
    LessonStatus,
    Notice,
    Place,
    Progress,
    ProgressStore,
    QuizDraft,
    ShownStatus,
    note_once,
    now,
    reset_lesson,
)
from course.store import datafolder, storage
from course.store.instance import FOLDER_READ_ONLY_MESSAGE, READ_ONLY_MESSAGE, ReadOnlyError

VERSION_GAP = timedelta(minutes=10)  # edits closer together than this (a typing session) make one version


def detect_language(environ: Mapping[str, str] = os.environ) -> str:
    """The system locale's language when there is a catalog of it (sv_SE.UTF-8: Swedish), else English.
    The first of LC_ALL, LC_MESSAGES, LANG and LANGUAGE that is set decides, as it does for other programs."""
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = environ.get(var, "")
        if value:
            found = re.match(r"([a-z]{2,3})(?![a-z])", value.lower())
            return found.group(1) if found and found.group(1) in languages() else REFERENCE
    return REFERENCE


class StudyReadOnlyError(ReadOnlyError):
    """A save refused because another Tillit holds the data folder, or the folder cannot be written;
    `str()` is the English sentence, `sentence(lang)` the same in the learner's language."""

    def __init__(self, folder: Path, folder_read_only: bool) -> None:
        self.folder_read_only = folder_read_only
        super().__init__(FOLDER_READ_ONLY_MESSAGE.format(folder=folder) if folder_read_only else READ_ONLY_MESSAGE)

    def sentence(self, lang: str) -> str:
        """Why nothing can be saved, in `lang`."""
        return tr("data.read_only_folder" if self.folder_read_only else "data.read_only", lang)


class Study:
    """The course, the learner's stores, and every action a learner can take."""

    def __init__(
        self,
        course: Course,
        data_dir: Path,
        lang: str | None = None,
        read_only: bool = False,
        folder_read_only: bool = False,
    ) -> None:
        """`read_only`: another Tillit holds the data folder (see course.store.instance.claim_writer);
        `folder_read_only`: the folder itself cannot be written (a read-only disk), which implies it. Where the
        learner is and what they answer is then kept for this session only; every save of something they
        made (a reflection, an attempt, a reset) raises ReadOnlyError, and nothing is swept, backed up or
        moved into quarantine. A folder that is not Tillit's raises NotDataFolderError (a StorageError)."""
        datafolder.open_data_folder(data_dir)  # refuses a folder that is not Tillit's before touching anything
        self.course = course
        self.data_dir = data_dir
        folder_read_only = folder_read_only or datafolder.cannot_write(data_dir)
        read_only = read_only or folder_read_only
        self.read_only = read_only
        self.folder_read_only = folder_read_only
        self.notices: list[Notice] = []
        storage.set_read_only(data_dir, read_only)
        if not read_only:
            from course.store.backup import sweep_partials

            with contextlib.suppress(StorageError):  # leftovers can wait; a read-only disk still opens
                storage.sweep_temp_files(data_dir)
                sweep_partials(data_dir)
        self.progress = ProgressStore(data_dir, self.notices)
        if read_only:
            self.progress.read_only = True  # changes stay in memory, the other Tillit's file is untouched
        self.attempts = AttemptStore(data_dir, self.notices)
        self.journal = JournalStore(data_dir, self.notices)
        saved = self.progress.current.language
        self.lang = course.pick_lang(lang or saved or detect_language())
        if not read_only:
            self._backup("daily")

    def _backup(self, reason: str) -> None:
        """The daily backup (at most one a day) or one before a reset; a failure is a notice, never a stop."""
        from course.store import backup

        try:
            if reason == "daily":
                backup.daily_backup(self.data_dir)
            elif backup.has_data(self.data_dir):
                backup.make_backup(self.data_dir, reason)
        except StorageError as err:
            detail = tr("data.backup_failed", self.lang, folder=self.data_dir / backup.BACKUPS, error=err)
            note_once(self.notices, Notice("error", self.data_dir / backup.BACKUPS, detail))

    def check_writable(self) -> None:
        """Refuse a save when another Tillit holds the data folder (the error says so in any language)."""
        if self.read_only:
            raise StudyReadOnlyError(self.data_dir, self.folder_read_only)

    # --- what the learner sees -----------------------------------------------------------------

    def lesson_state(self, lesson_id: str) -> LessonState:
        """Where a lesson stands."""
        return self.progress.current.lesson(lesson_id)

    def status(self, lesson_id: str) -> LessonStatus:
        """not_started, read or completed, as saved."""
        return self.lesson_state(lesson_id).status

    def shown_status(self, lesson_id: str) -> ShownStatus:
        """The status the learner sees: the saved one, except that a lesson opened but not read to the end,
        or one read whose quiz is under way, is in progress (a completed lesson stays completed)."""
        state = self.lesson_state(lesson_id)
        if state.status == COMPLETED:
            return COMPLETED
        if lesson_id in self.progress.current.quizzes:
            return IN_PROGRESS
        if state.status == READ:
            return READ
        place = self.progress.current.place
        if state.opened_at is not None or (place is not None and place.lesson == lesson_id and place.scroll > 0):
            return IN_PROGRESS  # the place: a lesson an older Tillit opened, which never noted opened_at
        return NOT_STARTED

    def counted_attempts(self, lesson_id: str) -> list[Attempt]:
        """The lesson's attempts since its last reset (older ones stay saved but do not count)."""
        reset_at = self.lesson_state(lesson_id).reset_at
        return [a for a in self.attempts.list(lesson_id) if reset_at is None or a.finished >= reset_at]

    def best(self, lesson_id: str) -> Attempt | None:
        """The best attempt since the last reset, if any."""
        attempts = self.counted_attempts(lesson_id)
        return max(attempts, key=lambda a: (a.share, a.finished)) if attempts else None

    def completed_count(self) -> int:
        """How many lessons are completed."""
        return sum(1 for lid in self.course.lesson_ids if self.status(lid) == COMPLETED)

    def continue_place(self) -> Place:
        """Where Continue goes: the saved place, else the first lesson not yet completed."""
        place = self.progress.current.place
        if place is not None and place.lesson in self.course.lesson_ids:
            return place
        for lid in self.course.lesson_ids:
            if self.status(lid) != COMPLETED:
                return Place(lid)
        return Place(self.course.lesson_ids[0])

    def has_started(self) -> bool:
        """True once the learner has been anywhere in the course."""
        return self.progress.current.place is not None

    # --- settings ----------------------------------------------------------------------------

    def set_language(self, lang: str) -> None:
        """Switch language and remember it."""
        self.lang = self.course.pick_lang(lang)
        self.progress.update(lambda p: replace(p, language=self.lang))

    def set_theme(self, theme: str) -> None:
        """Remember the chosen theme."""
        self.progress.update(lambda p: replace(p, theme=theme))

    # --- reading ------------------------------------------------------------------------------

    def go(self, place: Place) -> None:
        """Remember where the learner is now, and that a lesson read from has been opened.

        The quiz or the reflection of the lesson last read keeps its reading position, so that going back
        from them (after a Continue too) finds the lesson where the learner stopped reading."""

        def change(p: Progress) -> Progress:
            here = place
            if here.view != "lesson" and not here.scroll and p.place is not None and p.place.lesson == here.lesson:
                here = replace(here, scroll=p.place.scroll)
            state = p.lesson(here.lesson)
            if here.view == "lesson" and state.opened_at is None:
                p = replace(p, lessons={**p.lessons, here.lesson: replace(state, opened_at=now())})
            return replace(p, place=here)

        self.progress.update(change)

    def mark_read(self, lesson_id: str) -> None:
        """Mark a lesson read (a completed lesson stays completed)."""

        def change(p: Progress) -> Progress:
            state = p.lesson(lesson_id)
            if state.status != NOT_STARTED:
                return p
            lessons = dict(p.lessons)
            lessons[lesson_id] = replace(state, status=READ, read_at=now())
            return replace(p, lessons=lessons)

        self.progress.update(change)

    # --- the quiz ------------------------------------------------------------------------------

    def quiz_draft(self, lesson_id: str) -> QuizDraft | None:
        """The attempt in progress for a lesson's quiz, if there is one."""
        draft = self.progress.current.quizzes.get(lesson_id)
        if draft is None:
            return None
        saved = next(
            (a for a in self.attempts.list(lesson_id) if a.started == draft.started and a.answers == draft.answers),
            None,
        )
        if saved is None:
            return draft

        # A crash came between saving the attempt and updating progress: finish that update now,
        # instead of letting the learner finish (and record) the same attempt twice.
        def change(p: Progress) -> Progress:
            state = p.lesson(lesson_id)
            if saved.passed and state.status != COMPLETED:
                state = replace(
                    state, status=COMPLETED, completed_at=saved.finished, read_at=state.read_at or saved.finished
                )
            quizzes = {k: v for k, v in p.quizzes.items() if k != lesson_id}
            return replace(p, lessons={**p.lessons, lesson_id: state}, quizzes=quizzes)

        self.progress.update(change)
        return None

    def start_quiz(self, lesson_id: str) -> QuizDraft:
        """Continue the attempt in progress, or start a new one with its options in a fresh order.

        The order is kept with the draft (and then with the attempt), so a resume and a later review show
        what the learner saw. The n-th attempt at a lesson is shuffled from the seed "<lesson>/<n>", never
        as the previous attempt showed a question of three or more options (see shuffle_options)."""
        draft = self.quiz_draft(lesson_id)
        if draft is not None:
            return draft
        quiz = self.course.quiz(lesson_id, self.lang)
        order: dict[str, tuple[str, ...]] = {}
        if quiz is not None:
            earlier = self.attempts.list(lesson_id)
            last_seen = earlier[-1].order if earlier else None
            order = shuffle_options(quiz, f"{lesson_id}/{len(earlier) + 1}", last_seen)
        draft = QuizDraft(now(), order=order)
        self.progress.update(lambda p: replace(p, quizzes={**p.quizzes, lesson_id: draft}))
        return draft

    def choose(self, lesson_id: str, question_id: str, chosen: Sequence[str]) -> QuizDraft:
        """Keep what is chosen for a question but not checked yet (nothing chosen: forget it), so a resume
        shows it chosen. Only the question being answered has such a choice."""
        draft = self.start_quiz(lesson_id)
        pending = {question_id: tuple(chosen)} if chosen else {}
        if pending == draft.pending:
            return draft
        draft = replace(draft, pending=pending)
        self.progress.update(lambda p: replace(p, quizzes={**p.quizzes, lesson_id: draft}))
        return draft

    def answer(self, lesson_id: str, question_id: str, chosen: Sequence[str], index: int) -> QuizDraft:
        """Record the answer to one question of the attempt in progress (its unchecked choice is done with)."""
        draft = self.start_quiz(lesson_id)
        pending = {q: c for q, c in draft.pending.items() if q != question_id}
        draft = replace(draft, answers={**draft.answers, question_id: tuple(chosen)}, pending=pending)
        def change(p: Progress) -> Progress:
            place = Place(lesson_id, "quiz", question=index)
            if p.place is not None and p.place.lesson == lesson_id:  # the lesson keeps its reading position
                place = replace(place, scroll=p.place.scroll)
            return replace(p, quizzes={**p.quizzes, lesson_id: draft}, place=place)

        self.progress.update(change)
        return draft

    def finish_quiz(self, lesson_id: str) -> tuple[QuizResult, Attempt]:
        """Score the attempt in progress, keep it for good, and complete the lesson on a pass."""
        self.check_writable()
        quiz = self.course.quiz(lesson_id, self.lang)
        assert quiz is not None
        draft = self.start_quiz(lesson_id)
        result = score(quiz, draft.answers)
        finished = now()
        attempt = Attempt(
            draft.started, finished, result.points, result.max_points, result.passed, dict(draft.answers),
            dict(draft.order),
        )  # fmt: skip
        self.attempts.add(lesson_id, attempt)

        def change(p: Progress) -> Progress:
            state = p.lesson(lesson_id)
            if result.passed and state.status != COMPLETED:
                state = replace(state, status=COMPLETED, completed_at=finished, read_at=state.read_at or finished)
            lessons = {**p.lessons, lesson_id: state}
            quizzes = {k: v for k, v in p.quizzes.items() if k != lesson_id}
            return replace(p, lessons=lessons, quizzes=quizzes)

        self.progress.update(change)
        return result, attempt

    def drop_quiz(self, lesson_id: str) -> None:
        """Forget an attempt in progress (to retry from the first question)."""
        self.progress.update(lambda p: replace(p, quizzes={k: v for k, v in p.quizzes.items() if k != lesson_id}))

    # --- the journal -----------------------------------------------------------------------------

    def reflections(self, lesson_id: str) -> list[Reflection]:
        """The lesson's saved reflections, newest first."""
        return self.journal.list(lesson_id)

    def all_reflections(self) -> list[Reflection]:
        """Every saved reflection of every lesson, newest first (deleted ones are left out)."""
        return self.journal.all()

    def save_reflection(
        self, lesson_id: str, prompt_id: str, text: str, existing: Reflection | None, tags: Sequence[str] = ()
    ) -> Reflection:
        """Save new or changed text; raises StorageError with the reason when it cannot.

        A new reflection gets `tags` (normalised, as set_tags does) in the same single write; the app and
        `tillit journal add` both save through here.

        Editing keeps `created` and moves `updated`. When the text changed and the previous save is
        more than VERSION_GAP old, the previous text is kept in `versions` (so the autosaves of one
        typing session make one version). The edit is applied to the reflection as saved now, so a
        star or tags set elsewhere meanwhile are kept.
        """
        self.check_writable()
        when = now()
        cleaned = clean_text(text)
        if existing is None:
            rid = new_id(when)
            while self.journal.get(lesson_id, rid) is not None:  # never overwrite another reflection
                rid = new_id(when)
            reflection = Reflection(rid, lesson_id, prompt_id, cleaned, when, when, normalise_tags(tags))
            self.journal.save(reflection)
            return reflection

        def edit(current: Reflection) -> Reflection:
            versions = current.versions
            if cleaned != current.text and when - current.updated > VERSION_GAP:
                versions = (*versions, Version(current.text, current.updated))
            return replace(current, text=cleaned, updated=when, versions=versions)

        return self.journal.update(existing, edit)

    def set_star(self, r: Reflection, starred: bool) -> Reflection:
        """Star or unstar a reflection (its `updated` time stays: starring is not an edit)."""
        self.check_writable()
        return self.journal.update(r, lambda current: replace(current, starred=starred))

    def set_tags(self, r: Reflection, tags: Sequence[str]) -> Reflection:
        """Replace a reflection's tags (normalised: lower-case, stripped, unique, sorted); `updated` stays."""
        self.check_writable()
        kept = normalise_tags(tags)
        return self.journal.update(r, lambda current: replace(current, tags=kept))

    def delete_reflection(self, r: Reflection) -> None:
        """Move a reflection to the journal's trash (never unlinked); restore_reflection undoes it."""
        self.check_writable()
        self.journal.delete(r)

    def restore_reflection(self, lesson_id: str, reflection_id: str) -> Reflection:
        """Undo delete_reflection."""
        self.check_writable()
        return self.journal.restore(lesson_id, reflection_id)

    # --- resets (never touch the journal) --------------------------------------------------------

    def reset_lesson(self, lesson_id: str) -> None:
        """Reset one lesson's status and score; its attempts stay saved, its reflections untouched."""
        self.check_writable()
        self._backup("reset")
        when = now()
        self.progress.update(lambda p: reset_lesson(p, lesson_id, when))

    def reset_all(self) -> None:
        """Reset every lesson; settings and reflections stay."""
        self.check_writable()
        self._backup("reset")
        when = now()

        def change(p: Progress) -> Progress:
            for lid in self.course.lesson_ids:
                p = reset_lesson(p, lid, when)
            return replace(p, place=None)

        self.progress.update(change)
