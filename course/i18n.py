"""Every string the app shows, in Swedish and English, and a lookup that never fails silently."""

from __future__ import annotations

from typing import Any

STRINGS: dict[str, dict[str, str]] = {
    # keys shown in the footer and the help screen
    "key.quit": {"sv": "Avsluta", "en": "Quit"},
    "key.help": {"sv": "Hjälp", "en": "Help"},
    "key.language": {"sv": "English", "en": "Svenska"},
    "key.back": {"sv": "Tillbaka", "en": "Back"},
    "key.open": {"sv": "Öppna", "en": "Open"},
    "key.continue": {"sv": "Fortsätt", "en": "Continue"},
    "key.quiz": {"sv": "Quiz", "en": "Quiz"},
    "key.reflect": {"sv": "Reflektera", "en": "Reflect"},
    "key.reset": {"sv": "Nollställ lektion", "en": "Reset lesson"},
    "key.reset_all": {"sv": "Nollställ allt", "en": "Reset all"},
    "key.about": {"sv": "Om kursen", "en": "About"},
    "key.toc": {"sv": "Innehåll", "en": "Contents"},
    "key.next": {"sv": "Nästa lektion", "en": "Next lesson"},
    "key.prev": {"sv": "Föregående", "en": "Previous"},
    "key.check": {"sv": "Rätta/Nästa", "en": "Check/Next"},
    "key.hint": {"sv": "Ledtråd", "en": "Hint"},
    "key.retry": {"sv": "Försök igen", "en": "Retry"},
    "key.choose": {"sv": "Välj alternativ", "en": "Choose option"},
    "key.save": {"sv": "Spara", "en": "Save"},
    "key.new": {"sv": "Ny reflektion", "en": "New reflection"},
    "key.next_prompt": {"sv": "Nästa fråga", "en": "Next prompt"},
    "key.palette": {"sv": "Kommandon", "en": "Commands"},
    "key.yes": {"sv": "Ja", "en": "Yes"},
    "key.no": {"sv": "Nej", "en": "No"},
    # home
    "home.continue": {"sv": "▶ Fortsätt: {where}", "en": "▶ Continue: {where}"},
    "home.start": {"sv": "▶ Börja: {where}", "en": "▶ Start: {where}"},
    "home.progress": {
        "sv": "{done} av {total} lektioner klara ({percent} %)",
        "en": "{done} of {total} lessons completed ({percent}%)",
    },
    "home.col.lesson": {"sv": "Lektion", "en": "Lesson"},
    "home.col.status": {"sv": "Status", "en": "Status"},
    "home.col.best": {"sv": "Bästa", "en": "Best"},
    "home.col.minutes": {"sv": "Min", "en": "Min"},
    "home.tip": {
        "sv": "Enter öppnar lektionen · q quiz · w reflektera · f1 hjälp",
        "en": "Enter opens the lesson · q quiz · w reflect · f1 help",
    },
    "status.not_started": {"sv": "○ Ej påbörjad", "en": "○ Not started"},
    "status.read": {"sv": "◐ Läst", "en": "◐ Read"},
    "status.completed": {"sv": "● Klar", "en": "● Completed"},
    "where.lesson": {"sv": "{title}", "en": "{title}"},
    "where.lesson_pos": {"sv": "{title} (där du slutade läsa)", "en": "{title} (where you stopped reading)"},
    "where.quiz": {"sv": "{title} – quiz, fråga {n}", "en": "{title} – quiz, question {n}"},
    "where.reflect": {"sv": "{title} – reflektion", "en": "{title} – reflection"},
    # lesson
    "lesson.objectives": {"sv": "Det här ska du kunna efteråt", "en": "What you will be able to do"},
    "lesson.key_points": {"sv": "Att ta med sig", "en": "Key points"},
    "lesson.discuss": {"sv": "Att prata om med kollegorna", "en": "To talk over with colleagues"},
    "lesson.sources": {"sv": "Ur artikeln", "en": "From the article"},
    "lesson.source_credit": {
        "sv": "Citat ur {author}, ”{title}”, {publisher} {date}.",
        "en": "Quoted from {author}, “{title}”, {publisher} {date} (in Swedish).",
    },
    "lesson.meta": {
        "sv": "Lektion {n} av {total} · {minutes} min · {status}",
        "en": "Lesson {n} of {total} · {minutes} min · {status}",
    },
    "lesson.next_steps": {
        "sv": "Nästa steg: q quiz · w reflektera · n nästa lektion",
        "en": "Next: q quiz · w reflect · n next lesson",
    },
    "lesson.no_quiz": {"sv": "Den här lektionen har inget quiz.", "en": "This lesson has no quiz."},
    "lesson.first": {"sv": "Det här är den första lektionen.", "en": "This is the first lesson."},
    "lesson.last": {"sv": "Det här är den sista lektionen.", "en": "This is the last lesson."},
    # quiz
    "quiz.title": {"sv": "Quiz: {title}", "en": "Quiz: {title}"},
    "quiz.counter": {"sv": "Fråga {n} av {total}", "en": "Question {n} of {total}"},
    "quiz.kind.single": {"sv": "Välj ett svar.", "en": "Choose one answer."},
    "quiz.kind.multiple": {"sv": "Välj alla som stämmer.", "en": "Select all that apply."},
    "quiz.kind.true_false": {"sv": "Sant eller falskt?", "en": "True or false?"},
    "quiz.true": {"sv": "Sant", "en": "True"},
    "quiz.false": {"sv": "Falskt", "en": "False"},
    "quiz.check": {"sv": "Rätta svaret", "en": "Check answer"},
    "quiz.next": {"sv": "Nästa fråga", "en": "Next question"},
    "quiz.finish": {"sv": "Se resultatet", "en": "See your score"},
    "quiz.choose_first": {
        "sv": "Välj ett svar först (siffertangent eller mellanslag).",
        "en": "Choose an answer first (a number key or space).",
    },
    "quiz.hint": {"sv": "Ledtråd: {hint}", "en": "Hint: {hint}"},
    "quiz.no_hint": {"sv": "Den här frågan har ingen ledtråd.", "en": "This question has no hint."},
    "quiz.right": {"sv": "✓ Rätt!", "en": "✓ Right!"},
    "quiz.wrong": {"sv": "✗ Inte riktigt.", "en": "✗ Not quite."},
    "quiz.mark.right_chosen": {"sv": "✓ rätt, ditt val", "en": "✓ right, your choice"},
    "quiz.mark.right_missed": {"sv": "✓ rätt, inte valt", "en": "✓ right, not chosen"},
    "quiz.mark.wrong_chosen": {"sv": "✗ fel, ditt val", "en": "✗ wrong, your choice"},
    "quiz.mark.wrong": {"sv": "✗ fel", "en": "✗ wrong"},
    "quiz.score": {
        "sv": "Resultat: {points} av {max} poäng ({percent} %)",
        "en": "Score: {points} of {max} points ({percent}%)",
    },
    "quiz.passed": {"sv": "✓ Godkänt – lektionen är klar.", "en": "✓ Passed – the lesson is completed."},
    "quiz.not_passed": {
        "sv": "✗ Inte godkänt än: du behöver {need} %. Läs förklaringarna och försök igen när du vill.",
        "en": "✗ Not passed yet: you need {need}%. Read the explanations and try again whenever you like.",
    },
    "quiz.attempts": {
        "sv": "Försök hittills: {count} · bästa: {best}",
        "en": "Attempts so far: {count} · best: {best}",
    },
    "quiz.retry": {"sv": "Försök igen", "en": "Try again"},
    "quiz.to_lesson": {"sv": "Till lektionen", "en": "Back to the lesson"},
    "quiz.to_reflect": {"sv": "Reflektera", "en": "Reflect"},
    "quiz.to_next": {"sv": "Nästa lektion", "en": "Next lesson"},
    # reflection
    "reflect.title": {"sv": "Reflektion: {title}", "en": "Reflection: {title}"},
    "reflect.private": {
        "sv": "Det du skriver sparas bara på din dator.",
        "en": "What you write is saved only on this computer.",
    },
    "reflect.prompt": {"sv": "Fråga {n} av {total}", "en": "Prompt {n} of {total}"},
    "reflect.placeholder": {
        "sv": "Skriv här. Texten sparas av sig själv medan du skriver.",
        "en": "Write here. Your text saves itself as you type.",
    },
    "reflect.new": {"sv": "Ny reflektion", "en": "New reflection"},
    "reflect.editing": {
        "sv": "Du redigerar reflektionen från {when}.",
        "en": "You are editing the reflection from {when}.",
    },
    "reflect.editing_new": {
        "sv": "Ny reflektion – sparas när du börjar skriva.",
        "en": "New reflection – saved as soon as you start typing.",
    },
    "reflect.saved": {"sv": "✓ Sparad {time}", "en": "✓ Saved {time}"},
    "reflect.unsaved": {"sv": "… osparade ändringar", "en": "… unsaved changes"},
    "reflect.failed": {
        "sv": "✗ {reason} Texten finns kvar här; ctrl+s försöker igen.",
        "en": "✗ {reason} Your text is still here; ctrl+s tries again.",
    },
    "reflect.list": {
        "sv": "Sparade reflektioner ({count}), nyast först",
        "en": "Saved reflections ({count}), newest first",
    },
    "reflect.none": {"sv": "Inga sparade reflektioner än.", "en": "No saved reflections yet."},
    "reflect.item": {"sv": "{when} · fråga {n} · {preview}", "en": "{when} · prompt {n} · {preview}"},
    "reflect.edited": {"sv": "ändrad {when}", "en": "edited {when}"},
    # dialogs and notices
    "confirm.reset": {
        "sv": "Nollställa ”{title}”? Status och poäng börjar om. Dina reflektioner och tidigare försök finns kvar.",
        "en": "Reset “{title}”? Its status and score start over. Your reflections and earlier attempts are kept.",
    },
    "confirm.reset_all": {
        "sv": "Nollställa hela kursen? All status och alla poäng börjar om. Dina reflektioner och tidigare försök finns kvar.",
        "en": "Reset the whole course? Every status and score starts over. Your reflections and earlier attempts are kept.",
    },
    "confirm.quit_unsaved": {
        "sv": "Din reflektion kunde inte sparas (se skälet under texten). Avsluta ändå och förlora de senaste ändringarna?",
        "en": "Your reflection could not be saved (the reason is under the text). Quit anyway and lose the latest changes?",
    },
    "error.save": {
        "sv": "Kunde inte spara {path}: {reason}; {advice}.",
        "en": "Could not save {path}: {reason}; {advice}.",
    },
    "error.read": {"sv": "Kan inte läsa {path}: {reason}; {advice}.", "en": "Cannot read {path}: {reason}; {advice}."},
    "error.folder": {
        "sv": "Kan inte använda datamappen {path}: {reason}; {advice}.",
        "en": "Cannot use the data folder {path}: {reason}; {advice}.",
    },
    "advice.space": {"sv": "frigör diskutrymme och försök igen", "en": "free some disk space and try again"},
    "advice.readonly": {
        "sv": "mappen är skrivskyddad; välj en annan med --data",
        "en": "the folder is read-only; choose another with --data",
    },
    "advice.permission": {
        "sv": "kontrollera mappens behörigheter eller välj en annan med --data",
        "en": "check the folder's permissions or choose another with --data",
    },
    "advice.generic": {
        "sv": "kontrollera disken och mappen och försök sedan igen",
        "en": "check the disk and the folder, then try again",
    },
    "done.reset": {"sv": "”{title}” är nollställd.", "en": "“{title}” has been reset."},
    "done.reset_all": {
        "sv": "Kursen är nollställd. Dina reflektioner finns kvar.",
        "en": "The course has been reset. Your reflections are kept.",
    },
    "notice.moved": {
        "sv": "{path} gick inte att läsa ({detail}). Filen flyttades till {moved_to}; resten av dina data fungerar som vanligt.",
        "en": "{path} could not be read ({detail}). It was moved to {moved_to}; the rest of your data works as usual.",
    },
    "notice.newer": {
        "sv": "{path} skrevs av en nyare version av Tillit och lämnas orörd. Uppdatera Tillit för att använda den.",
        "en": "{path} was written by a newer version of Tillit and is left untouched. Update Tillit to use it.",
    },
    "notice.error": {"sv": "{detail}", "en": "{detail}"},
    "notice.save_failed": {
        "sv": "Resultatet kunde inte sparas än, men dina svar finns kvar. {detail}",
        "en": "Your score could not be saved yet, but your answers are kept. {detail}",
    },
    "language.switched": {"sv": "Språk: svenska", "en": "Language: English"},
    # help and about
    "help.title": {"sv": "Tangenter", "en": "Keys"},
    "help.everywhere": {"sv": "Överallt", "en": "Everywhere"},
    "help.home": {"sv": "Kursöversikten", "en": "Course map"},
    "help.lesson": {"sv": "Lektion", "en": "Lesson"},
    "help.quiz": {"sv": "Quiz", "en": "Quiz"},
    "help.reflect": {"sv": "Reflektion", "en": "Reflection"},
    "help.mouse": {
        "sv": "Tab och shift+tab flyttar mellan fälten, ctrl+c kopierar markerad text, och allt går också med musen.",
        "en": "Tab and shift+tab move between fields, ctrl+c copies selected text, and everything works with the mouse too.",
    },
    "help.close": {"sv": "Stäng", "en": "Close"},
    "about.title": {"sv": "Om kursen", "en": "About the course"},
    "about.source": {
        "sv": "Bygger på: {author}, ”{title}”, {publisher}, {date}.",
        "en": "Based on: {author}, “{title}”, {publisher}, {date}.",
    },
    "about.data": {"sv": "Dina data: {path}", "en": "Your data: {path}"},
    # command palette
    "cmd.open": {"sv": "Öppna lektion: {title}", "en": "Open lesson: {title}"},
    "cmd.quiz": {"sv": "Quiz: {title}", "en": "Quiz: {title}"},
    "cmd.reflect": {"sv": "Reflektera: {title}", "en": "Reflect: {title}"},
    "cmd.open.help": {"sv": "Läs lektionen", "en": "Read the lesson"},
    "cmd.language": {"sv": "Byt språk till engelska", "en": "Switch language to Swedish"},
    "cmd.keys": {"sv": "Visa alla tangenter", "en": "Show every key"},
}


def describe_failure(action: str, path: object, reason: str, advice: str, lang: str) -> str:
    """'Could not save FILE: REASON; WHAT TO DO.' in `lang` (action: save, read or folder)."""
    return tr(f"error.{action}", lang, path=path, reason=reason, advice=tr(f"advice.{advice or 'generic'}", lang))


def describe(err: Exception, lang: str) -> str:
    """An error as one sentence in `lang` when its parts are known, else its own (English) sentence."""
    action = getattr(err, "action", "")
    if action and f"error.{action}" in STRINGS:
        return describe_failure(
            action, getattr(err, "path", ""), getattr(err, "reason", ""), getattr(err, "advice", ""), lang
        )
    return str(err)


def tr(key: str, lang: str, **values: Any) -> str:
    """The string for `key` in `lang` (English when missing), with `values` filled in."""
    entry = STRINGS[key]
    text = entry.get(lang) or entry["en"]
    return text.format(**values) if values else text
