"""Every string the app shows, in Swedish and English, and a lookup that never fails silently."""

from __future__ import annotations

from collections.abc import Mapping
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
        "sv": "Enter öppnar lektionen · q quiz · w reflektera · a om kursen · f1 hjälp",
        "en": "Enter opens the lesson · q quiz · w reflect · a about · f1 help",
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
        "sv": "Nästa steg: q quiz · w reflektera · c vad ska jag pröva? · n nästa lektion",
        "en": "Next: q quiz · w reflect · c what will I try? · n next lesson",
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
    "error.subfolder": {
        "sv": "Kan inte skriva i mappen {path}: {reason}; {advice}.",
        "en": "Cannot write in the folder {path}: {reason}; {advice}.",
    },
    "advice.subfolder": {
        "sv": "kontrollera den mappens behörigheter och disken och försök sedan igen",
        "en": "check that folder's permissions and the disk, then try again",
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
    "notice.unreadable": {
        "sv": "{path} gick inte att läsa ({detail}) och hoppas över; den ligger kvar orörd. Kontrollera filens rättigheter eller disken. Resten av dina data fungerar som vanligt.",
        "en": "{path} could not be read ({detail}) and is skipped; it is left where it is. Check the file's permissions or the disk. The rest of your data works as usual.",
    },
    "notice.left": {
        "sv": "{path} gick inte att läsa ({detail}). En annan Tillit är öppen, så filen lämnas där den är; den flyttas undan när du öppnar Tillit igen.",
        "en": "{path} could not be read ({detail}). Another Tillit is open, so it is left where it is; it will be moved aside when you next open Tillit on its own.",
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
    "about.glossary": {"sv": "Ordlista svenska – engelska", "en": "Glossary English – Swedish"},
    "about.reading": {"sv": "Läs mer", "en": "Further reading"},
    "cmd.about": {"sv": "Om kursen", "en": "About the course"},
    "cmd.about.help": {"sv": "Ursprung, ordlista och läs mer", "en": "Origin, glossary and further reading"},
    "about.data": {"sv": "Dina data: {path}", "en": "Your data: {path}"},
    # command palette
    "cmd.open": {"sv": "Öppna lektion: {title}", "en": "Open lesson: {title}"},
    "cmd.quiz": {"sv": "Quiz: {title}", "en": "Quiz: {title}"},
    "cmd.reflect": {"sv": "Reflektera: {title}", "en": "Reflect: {title}"},
    "cmd.open.help": {"sv": "Läs lektionen", "en": "Read the lesson"},
    "cmd.language": {"sv": "Byt språk till engelska", "en": "Switch language to Swedish"},
    "cmd.keys": {"sv": "Visa alla tangenter", "en": "Show every key"},
    # journal workspace
    "jw.title": {"sv": "Dagbok", "en": "Journal"},
    "jw.search": {"sv": "Sök i dagboken (ctrl+f) …", "en": "Search the journal (ctrl+f) …"},
    "jw.all_lessons": {"sv": "Alla lektioner", "en": "All lessons"},
    "jw.all_tags": {"sv": "Alla taggar", "en": "All tags"},
    "jw.starred": {"sv": "★ bara", "en": "★ only"},
    "jw.since": {"sv": "från ÅÅÅÅ-MM-DD", "en": "from YYYY-MM-DD"},
    "jw.until": {"sv": "till ÅÅÅÅ-MM-DD", "en": "to YYYY-MM-DD"},
    "jw.count": {
        "sv": "Visar {shown} av {total} reflektioner · enter öppnar · e exportera · f1 alla tangenter",
        "en": "Showing {shown} of {total} reflections · enter opens · e export · f1 every key",
    },
    "jw.count_capped": {
        "sv": "De {rows} nyaste av {shown} träffar (av {total}) · sök eller filtrera för att se de andra",
        "en": "The newest {rows} of {shown} matches (of {total}) · search or filter to see the others",
    },
    "jw.loading": {"sv": "Läser dagboken …", "en": "Reading the journal …"},
    "jw.empty": {
        "sv": "Dagboken är tom än så länge. Skriv en reflektion med w i en lektion.",
        "en": "The journal is empty so far. Write a reflection with w in a lesson.",
    },
    "jw.no_match": {"sv": "Inga reflektioner matchar filtren.", "en": "No reflections match the filters."},
    "jw.lesson_n": {"sv": "L{n}", "en": "L{n}"},
    "jw.written": {"sv": "Skriven {when}", "en": "Written {when}"},
    "jw.versions_n": {"sv": "{n} tidigare versioner (v)", "en": "{n} earlier versions (v)"},
    "jw.versions_title": {"sv": "Tidigare versioner, nyast först", "en": "Earlier versions, newest first"},
    "jw.no_versions": {"sv": "Inga tidigare versioner.", "en": "No earlier versions."},
    "jw.now": {"sv": "Nu", "en": "Now"},
    "jw.then_and_now": {
        "sv": "Då och nu: alla svar på frågan, äldst först",
        "en": "Then and now: every answer to the prompt, oldest first",
    },
    "jw.tags_ask": {"sv": "Taggar, åtskilda med mellanslag eller komma:", "en": "Tags, separated by spaces or commas:"},
    "jw.delete_ask": {
        "sv": "Ta bort reflektionen ”{preview}”? Du kan ångra med u.",
        "en": "Delete the reflection “{preview}”? You can undo with u.",
    },
    "jw.deleted": {
        "sv": "Reflektionen är borttagen. Tryck u för att ångra.",
        "en": "The reflection was deleted. Press u to undo.",
    },
    "jw.restored": {"sv": "Reflektionen är tillbaka.", "en": "The reflection is back."},
    "jx.title": {
        "sv": "Exportera {count} reflektioner (med filtren som gäller nu)",
        "en": "Export {count} reflections (with the current filters)",
    },
    "jx.format.md": {"sv": "Markdown (.md)", "en": "Markdown (.md)"},
    "jx.format.html": {
        "sv": "HTML, en fil som går att skriva ut (.html)",
        "en": "HTML, one file that prints well (.html)",
    },
    "jx.format.toml": {"sv": "TOML, alla uppgifter (.toml)", "en": "TOML, every detail (.toml)"},
    "jx.save": {"sv": "Exportera", "en": "Export"},
    "jx.done": {"sv": "{count} reflektioner exporterade till {path}", "en": "{count} reflections exported to {path}"},
    "dialog.ok": {"sv": "OK", "en": "OK"},
    "dialog.cancel": {"sv": "Avbryt", "en": "Cancel"},
    "help.journal": {"sv": "Dagbok", "en": "Journal"},
    "key.journal": {"sv": "Dagbok", "en": "Journal"},
    "key.edit": {"sv": "Öppna", "en": "Open"},
    "key.search": {"sv": "Sök", "en": "Search"},
    "key.star": {"sv": "Stjärnmärk", "en": "Star"},
    "key.tags": {"sv": "Taggar", "en": "Tags"},
    "key.delete": {"sv": "Ta bort", "en": "Delete"},
    "key.undo": {"sv": "Ångra", "en": "Undo"},
    "key.versions": {"sv": "Versioner", "en": "Versions"},
    "key.then_and_now": {"sv": "Då och nu", "en": "Then and now"},
    "key.export": {"sv": "Exportera", "en": "Export"},
    "cmd.journal": {"sv": "Öppna dagboken", "en": "Open the journal"},
    # the learning loop
    "key.assess": {"sv": "Självskattning", "en": "Self-assessment"},
    "key.commitments": {"sv": "Åtaganden", "en": "Commitments"},
    "key.review": {"sv": "Repetera", "en": "Review"},
    "key.practise": {"sv": "Öva fritt", "en": "Practise"},
    "key.commit": {"sv": "Vad ska jag pröva?", "en": "What will I try?"},
    "help.review": {"sv": "Repetition", "en": "Review"},
    "help.assessment": {"sv": "Självskattning", "en": "Self-assessment"},
    "help.commitments": {"sv": "Åtaganden", "en": "Commitments"},
    "home.offer_assessment": {
        "sv": "Innan du börjar: skatta dig själv på de sju beteendena (s)",
        "en": "Before you start: rate yourself on the seven behaviours (s)",
    },
    "home.commitments_due": {"sv": "⏰ {n} åtagande att följa upp (k)", "en": "⏰ {n} commitment(s) to follow up (k)"},
    "home.reviews_due": {"sv": "↻ {n} frågor att repetera (v)", "en": "↻ {n} question(s) to review (v)"},
    "home.loop_keys": {
        "sv": "j dagbok · s självskattning · k åtaganden · v repetera",
        "en": "j journal · s self-assessment · k commitments · v review",
    },
    "review.title": {"sv": "Repetition", "en": "Review"},
    "review.title_practice": {
        "sv": "Fri övning – schemat ändras inte",
        "en": "Practice – the schedule does not change",
    },
    "review.done": {"sv": "Du svarade rätt på {right} av {total}.", "en": "You answered {right} of {total} right."},
    "review.schedule": {
        "sv": "Rätt svar kommer tillbaka om längre tid, fel svar redan i morgon.",
        "en": "Right answers come back after a longer gap, wrong ones tomorrow.",
    },
    "review.back": {"sv": "Tillbaka", "en": "Back"},
    "review.nothing": {
        "sv": "Inga frågor att repetera just nu. Frågor du svarar fel på kommer tillbaka här.",
        "en": "Nothing to review right now. Questions you answer wrong come back here.",
    },
    "assess.title": {"sv": "Självskattning: de sju beteendena", "en": "Self-assessment: the seven behaviours"},
    "assess.history": {"sv": "Så har du skattat dig hittills", "en": "Your ratings so far"},
    "assess.since": {"sv": "sedan {day}", "en": "since {day}"},
    "assess.new": {"sv": "Ny skattning", "en": "New rating"},
    "assess.note": {"sv": "Anteckning (frivillig)", "en": "Note (optional)"},
    "assess.save": {"sv": "Spara skattningen", "en": "Save the rating"},
    "assess.missing": {"sv": "Skatta alla sju först ({n} saknas).", "en": "Rate all seven first ({n} missing)."},
    "assess.revisit": {
        "sv": "Värda att gå tillbaka till efter dina lägsta svar: {lessons}",
        "en": "Worth revisiting after your lowest ratings: {lessons}",
    },
    "assess.saved": {"sv": "Skattningen är sparad.", "en": "The rating is saved."},
    "assess.none": {"sv": "Den här kursen har ingen självskattning.", "en": "This course has no self-assessment."},
    "commit.ask": {"sv": "Vad ska du pröva efter den här lektionen?", "en": "What will you try after this lesson?"},
    "commit.when": {
        "sv": "När vill du följa upp hur det gick? (ÅÅÅÅ-MM-DD)",
        "en": "When do you want to follow up how it went? (YYYY-MM-DD)",
    },
    "commit.save": {"sv": "Spara åtagandet", "en": "Save the commitment"},
    "commit.bad_date": {"sv": "Skriv datumet som ÅÅÅÅ-MM-DD.", "en": "Write the date as YYYY-MM-DD."},
    "commit.empty": {"sv": "Skriv något först.", "en": "Write something first."},
    "commit.saved": {
        "sv": "Åtagandet är sparat. Startsidan påminner dig när det är dags.",
        "en": "The commitment is saved. The home screen reminds you when it is time.",
    },
    "commit.how": {"sv": "Hur gick det?", "en": "How did it go?"},
    "commit.done": {"sv": "Spara och markera som klar", "en": "Save and mark as done"},
    "commit.title": {"sv": "Åtaganden", "en": "Commitments"},
    "commit.due": {"sv": "följ upp {day}", "en": "follow up {day}"},
    "commit.done_on": {"sv": "klar {day}", "en": "done {day}"},
    "commit.count": {
        "sv": "{open} öppna, {done} klara · enter följer upp ett öppet",
        "en": "{open} open, {done} done · enter follows up an open one",
    },
    "commit.none": {
        "sv": "Inga åtaganden än. Tryck c i en lektion: vad ska du pröva?",
        "en": "No commitments yet. Press c in a lesson: what will you try?",
    },
    "commit.followed_up": {
        "sv": "Uppföljningen är sparad i dagboken.",
        "en": "The follow-up is saved in your journal.",
    },
    "quiz.to_commit": {"sv": "Vad ska jag pröva?", "en": "What will I try?"},
    "cmd.assess": {"sv": "Självskattning av de sju beteendena", "en": "Self-assessment of the seven behaviours"},
    "cmd.commitments": {"sv": "Åtaganden", "en": "Commitments"},
    "cmd.review": {"sv": "Repetera frågor som är på tur", "en": "Review the questions that are due"},
    "cmd.practise": {
        "sv": "Öva på alla frågor du svarat fel på (schemat ändras inte)",
        "en": "Practise every question you got wrong (the schedule does not change)",
    },
    # the learning loop: refusals from course.learner.practice (nothing was written)
    "practice.error.no_assessment": {
        "sv": "Den här kursen har ingen självskattning, så det finns inget att skatta.",
        "en": "This course has no self-assessment, so there is nothing to rate.",
    },
    "practice.error.unknown_statement": {
        "sv": "”{id}” är inget påstående i kursens självskattning; inget sparades.",
        "en": "“{id}” is not a statement of this course's self-assessment; nothing was saved.",
    },
    "practice.error.rating": {
        "sv": "Skattningen för ”{id}” ska vara ett heltal från {low} till {high}, inte {value}; inget sparades.",
        "en": "The rating for “{id}” should be a whole number from {low} to {high}, not {value}; nothing was saved.",
    },
    "practice.error.note": {
        "sv": "Anteckningen för ”{id}” ska vara text; inget sparades.",
        "en": "The note for “{id}” should be text; nothing was saved.",
    },
    "practice.error.no_rating": {
        "sv": "Skatta minst ett påstående innan du sparar självskattningen.",
        "en": "Rate at least one statement before saving the self-assessment.",
    },
    "practice.error.unknown_lesson": {
        "sv": "”{id}” är ingen lektion i kursen; åtagandet sparades inte.",
        "en": "“{id}” is not a lesson of this course; the commitment was not saved.",
    },
    "practice.error.empty_commitment": {
        "sv": "Skriv vad du ska pröva innan du sparar åtagandet.",
        "en": "Write what you will try before saving the commitment.",
    },
    "practice.error.due": {
        "sv": "Uppföljningen behöver ett datum, inte {value}; åtagandet sparades inte.",
        "en": "The follow-up needs a date, not {value}; the commitment was not saved.",
    },
    "practice.error.empty_follow_up": {
        "sv": "Skriv några ord om hur det gick innan du sparar uppföljningen.",
        "en": "Write a few words on how it went before saving the follow-up.",
    },
    "practice.error.commitment_gone": {
        "sv": "Åtagandet {id} finns inte längre sparat, så det går inte att följa upp.",
        "en": "The commitment {id} is no longer saved, so it cannot be followed up.",
    },
    "practice.error.commitment_done": {
        "sv": "Åtagandet {id} är redan uppföljt.",
        "en": "The commitment {id} has already been followed up.",
    },
    "practice.error.unknown_question": {
        "sv": "Kursen har ingen quizfråga ”{question}” i lektionen ”{lesson}”.",
        "en": "The course has no quiz question “{question}” in the lesson “{lesson}”.",
    },
    # journal and exports (course/journal.py, export.py, chart.py; `tillit journal`)
    "journal.follow_up": {"sv": "Uppföljning av ett åtagande", "en": "Follow-up of a commitment"},
    "export.title": {"sv": "Reflektionsdagbok", "en": "Reflection journal"},
    "export.subtitle": {"sv": "{course} · exporterad {when}", "en": "{course} · exported {when}"},
    "export.count.one": {"sv": "1 reflektion", "en": "1 reflection"},
    "export.count.many": {"sv": "{count} reflektioner", "en": "{count} reflections"},
    "export.empty": {"sv": "Inga reflektioner att visa.", "en": "No reflections to show."},
    "export.written": {"sv": "Skriven {when}", "en": "Written {when}"},
    "export.edited": {"sv": "ändrad {when}", "en": "edited {when}"},
    "export.starred": {"sv": "★ Stjärnmärkt", "en": "★ Starred"},
    "export.tags": {"sv": "Taggar: {tags}", "en": "Tags: {tags}"},
    "export.versions": {"sv": "Tidigare versioner ({count})", "en": "Earlier versions ({count})"},
    "export.version_saved": {"sv": "Sparad {when}", "en": "Saved {when}"},
    "export.assessment": {"sv": "Självskattning över tid", "en": "Self-assessment over time"},
    "export.assessment_note": {
        "sv": "Skala 1–5. Varje punkt är en självskattning med värdet utskrivet; till höger om beteendet står första → senaste värdet.",
        "en": "Scale 1–5. Each point is one self-assessment with its value written out; next to each behaviour: first → latest value.",
    },
    "export.chart_empty": {"sv": "Inga skattningar än", "en": "No ratings yet"},
    "data.backup_failed": {
        "sv": "Kunde inte göra en säkerhetskopia i {folder} ({error}); dina data är orörda.",
        "en": "Could not make a backup in {folder} ({error}); your data is untouched.",
    },
    # facilitator mode (course.tui.present)
    "key.present.next": {"sv": "Nästa", "en": "Next"},
    "key.present.prev": {"sv": "Bakåt", "en": "Back"},
    "key.present.answer": {"sv": "Visa svaret", "en": "Show answer"},
    "key.present.all": {"sv": "Visa alla punkter", "en": "Show all points"},
    "key.present.timer": {"sv": "Starta/pausa tid", "en": "Start/pause timer"},
    "key.present.add": {"sv": "+1 minut", "en": "+1 minute"},
    "key.present.less": {"sv": "−1 minut", "en": "−1 minute"},
    "key.present.reset": {"sv": "Nollställ tiden", "en": "Reset timer"},
    "key.present.black": {"sv": "Släck skärmen", "en": "Black out"},
    "key.present.jump": {"sv": "Gå till…", "en": "Go to…"},
    "key.present.notes": {"sv": "Anteckningar", "en": "Notes"},
    "key.present.first": {"sv": "Första bilden", "en": "First slide"},
    "key.present.last": {"sv": "Sista bilden", "en": "Last slide"},
    "key.present.leave": {"sv": "Avsluta visningen", "en": "End presentation"},
    "key.present": {"sv": "Presentera", "en": "Present"},
    "help.present": {"sv": "Presentationsläge", "en": "Facilitator mode"},
    "present.help.notes": {
        "sv": "Anteckningarna visas aldrig för rummet om du inte själv slår på dem med n. Kör `tillit present --notes` i ett andra fönster för en talarvy som följer med.",
        "en": "Notes never show to the room unless you turn them on with n. Run `tillit present --notes` in a second window for a speaker view that follows along.",
    },
    "present.session.idle": {
        "sv": "Planerat {total} · t startar tiden",
        "en": "Planned {total} · t starts the timer",
    },
    "present.session": {"sv": "Passet {elapsed} av {total} · {pace}", "en": "Session {elapsed} of {total} · {pace}"},
    "present.pace.on": {"sv": "enligt plan", "en": "on time"},
    "present.pace.behind": {"sv": "{n} min efter plan", "en": "{n} min behind plan"},
    "present.pace.ahead": {"sv": "{n} min före plan", "en": "{n} min ahead of plan"},
    "present.timer.paused": {"sv": "pausad", "en": "paused"},
    "present.timer.running": {"sv": "kvar", "en": "left"},
    "present.timer.last": {"sv": "⚠ sista minuten", "en": "⚠ last minute"},
    "present.timer.zero": {"sv": "⏰ tiden är ute", "en": "⏰ time is up"},
    "present.timer.over": {"sv": "⏰ över tiden", "en": "⏰ over time"},
    "present.slide.intro": {"sv": "Inledning", "en": "Introduction"},
    "present.slide.key_points": {"sv": "Att ta med sig", "en": "Key points"},
    "present.slide.discussion": {"sv": "Diskutera", "en": "Discuss"},
    "present.slide.question": {"sv": "Fråga", "en": "Question"},
    "present.back_at": {"sv": "Vi fortsätter kl. {time}", "en": "We start again at {time}"},
    "present.right": {"sv": "rätt", "en": "right"},
    "present.wrong": {"sv": "fel", "en": "wrong"},
    "present.end": {"sv": "Det här är sista bilden.", "en": "This is the last slide."},
    "present.jump.title": {"sv": "Gå till bild", "en": "Go to slide"},
    "present.leave.confirm": {
        "sv": "Avsluta visningen? Tiden för passet slutar räknas.",
        "en": "End the presentation? The session timer stops.",
    },
    "present.notes.none": {"sv": "(Inga anteckningar för den här delen.)", "en": "(No notes for this part.)"},
    "present.notes.key_hidden": {"sv": "Facit (dolt för rummet, a visar):", "en": "Answer key (hidden from the room, a shows it):"},
    "present.notes.key_shown": {"sv": "Facit (visas för rummet):", "en": "Answer key (showing to the room):"},
    "present.notes.next": {"sv": "Nästa: {title}", "en": "Next: {title}"},
    "present.notes.last": {"sv": "Det här är sista bilden.", "en": "This is the last slide."},
    "present.notes.waiting": {
        "sv": "Väntar på presentationen … starta `tillit present` (eller `tillit session run`) i ett annat fönster med samma datamapp.",
        "en": "Waiting for the presentation … start `tillit present` (or `tillit session run`) in another window with the same data folder.",
    },
    "present.notes.following": {"sv": "Talarvy — följer presentationen", "en": "Speaker view — following the presentation"},
    "present.notes.black": {"sv": "skärmen är släckt", "en": "the screen is blacked out"},
    "present.notes.room_question": {"sv": "rummet ser frågan, inte svaret", "en": "the room sees the question, not the answer"},
    "present.notes.room_answer": {"sv": "rummet ser svaret", "en": "the room sees the answer"},
    "present.notes.steps": {"sv": "visar {shown} av {total} punkter", "en": "showing {shown} of {total} points"},
    "cmd.present": {"sv": "Presentera: {title}", "en": "Present: {title}"},
    "cmd.present.help": {
        "sv": "Bildspel för en grupp, med tid och anteckningar",
        "en": "Slides for a group, with timer and notes",
    },
    "cmd.session": {"sv": "Kör sessionsplan: {title}", "en": "Run session plan: {title}"},
    # trainer toolkit II: sharing with the trainer, and the group results
    "cmd.share": {"sv": "Dela med kursledaren…", "en": "Share with your trainer…"},
    "cmd.results": {"sv": "Gruppresultat…", "en": "Group results…"},
    "key.share.save": {"sv": "Spara filen", "en": "Save the file"},
    "key.results.next": {"sv": "Nästa", "en": "Next"},
    "key.results.prev": {"sv": "Föregående", "en": "Previous"},
    "key.results.reveal": {"sv": "Visa siffrorna", "en": "Show figures"},
    "key.results.reveal_all": {"sv": "Visa/dölj alla", "en": "Show/hide all"},
    "key.results.jump": {"sv": "Gå till", "en": "Go to"},
    "key.results.export": {"sv": "Exportera", "en": "Export"},
    "key.results.skipped": {"sv": "Överhoppade filer", "en": "Skipped files"},
    "key.results.first": {"sv": "Första", "en": "First"},
    "key.results.last": {"sv": "Sista", "en": "Last"},
    "share.title": {"sv": "Dela med kursledaren", "en": "Share with your trainer"},
    "share.intro": {
        "sv": "Filen innehåller dina quizsvar och dina självskattningar, utan namn om du inte skriver ett, och en "
        "reflektion bara om du väljer den här nedanför. Dina andra reflektioner, dina anteckningar och dina taggar "
        "delas aldrig.",
        "en": "The file holds your quiz answers and your self-assessment ratings, anonymously unless you type a "
        "name, and a reflection only if you pick it below. Your other reflections, your notes and your tags are "
        "never shared.",
    },
    "share.name": {"sv": "Namn:", "en": "Name:"},
    "share.name.placeholder": {
        "sv": "frivilligt – tomt betyder anonymt",
        "en": "optional — leave it empty to stay anonymous",
    },
    "share.loading": {"sv": "Läser dina reflektioner …", "en": "Reading your reflections…"},
    "share.no_reflections": {
        "sv": "Du har inga sparade reflektioner att dela.",
        "en": "You have no saved reflections to share.",
    },
    "share.reflections": {
        "sv": "Reflektioner att dela – {chosen} av {total} valda (mellanslag väljer):",
        "en": "Reflections to share — {chosen} of {total} chosen (space picks one):",
    },
    "share.preview": {"sv": "Filen, exakt som den sparas:", "en": "The file, exactly as it will be saved:"},
    "share.preview.counts": {
        "sv": "Filen, exakt som den sparas (quizsvar: {answers} · självskattningar: {assessments} · reflektioner: "
        "{reflections}):",
        "en": "The file, exactly as it will be saved (quiz answers: {answers} · self-assessments: {assessments} · "
        "reflections: {reflections}):",
    },
    "share.path": {"sv": "Spara som:", "en": "Save as:"},
    "share.save": {"sv": "Spara", "en": "Save"},
    "share.confirm.one": {
        "sv": "1 reflektion delas med kursledaren, med exakt den text som visas i filen. Spara filen?",
        "en": "1 reflection will be shared with your trainer, exactly as the file shows it. Save the file?",
    },
    "share.confirm.many": {
        "sv": "{n} reflektioner delas med kursledaren, med exakt den text som visas i filen. Spara filen?",
        "en": "{n} reflections will be shared with your trainer, exactly as the file shows them. Save the file?",
    },
    "share.replace": {"sv": "{path} finns redan. Ersätta den?", "en": "{path} already exists. Replace it?"},
    "share.saved": {
        "sv": "Sparad: {path}. Ge filen till din kursledare.",
        "en": "Saved: {path}. Give this file to your trainer.",
    },
    "share.read_only": {
        "sv": "En annan Tillit är öppen på din datamapp och du har inget delnings-id än; stäng den andra för att "
        "kunna dela.",
        "en": "Another Tillit is open on your data folder and you have no share id yet; close the other one to share.",
    },
    "share.no_path": {"sv": "Skriv var filen ska sparas.", "en": "Type where to save the file."},
    "share.is_folder": {
        "sv": "{path} är en mapp; skriv ett filnamn, till exempel {example}.",
        "en": "{path} is a folder; type a file name, for example {example}.",
    },
    "share.no_folder": {
        "sv": "Mappen {folder} finns inte; välj en mapp som finns.",
        "en": "The folder {folder} does not exist; choose one that does.",
    },
    "results.title": {"sv": "Gruppresultat", "en": "Group results"},
    "results.ask": {
        "sv": "Mappen (eller filerna) med deltagarnas delningsfiler:",
        "en": "The folder (or files) with the participants' share files:",
    },
    "results.looking": {"sv": "Letar efter delningsfiler …", "en": "Looking for share files…"},
    "results.reading.one": {"sv": "Läser 1 fil …", "en": "Reading 1 file…"},
    "results.reading": {"sv": "Läser {n} filer …", "en": "Reading {n} files…"},
    "results.named": {"sv": "{n} med namn", "en": "{n} named"},
    "results.place": {"sv": "{k} av {n}", "en": "{k} of {n}"},
    "results.skipped.one": {"sv": "1 fil hoppades över.", "en": "1 file was skipped."},
    "results.skipped.many": {"sv": "{n} filer hoppades över.", "en": "{n} files were skipped."},
    "results.skipped.show": {"sv": "s visar vilka och varför", "en": "s shows which and why"},
    "results.skipped.hide": {"sv": "s döljer listan", "en": "s hides the list"},
    "results.none": {
        "sv": "Inga delningsfiler kunde läsas i {where}.",
        "en": "No share files could be read in {where}.",
    },
    "results.left_out": {"sv": "Visas inte här (men i rapporten): {what}.", "en": "Not shown here (but in the report): {what}."},
    "results.left_out.questions": {"sv": "{n} obesvarade frågor", "en": "{n} unanswered questions"},
    "results.left_out.question": {"sv": "1 obesvarad fråga", "en": "1 unanswered question"},
    "results.left_out.behaviours": {"sv": "{n} oskattade beteenden", "en": "{n} unrated behaviours"},
    "results.left_out.behaviour": {"sv": "1 oskattat beteende", "en": "1 unrated behaviour"},
    "results.kind.question": {"sv": "Quizfråga", "en": "Quiz question"},
    "results.kind.behaviour": {"sv": "Självskattning", "en": "Self-assessment"},
    "results.hidden": {
        "sv": "Siffrorna är dolda – gissa först! (mellanslag visar dem)",
        "en": "The figures are hidden — guess first! (space shows them)",
    },
    "results.end": {"sv": "Det här är sista sidan.", "en": "This is the last page."},
    "results.jump.title": {"sv": "Gå till", "en": "Go to"},
    "results.export.ask": {
        "sv": "Spara rapporten (HTML) som – de två CSV-filerna hamnar bredvid:",
        "en": "Save the report (HTML) as — the two CSV files go beside it:",
    },
    "results.export.replace": {
        "sv": "{files} finns redan i {folder}. Ersätta?",
        "en": "{files} already exist in {folder}. Replace them?",
    },
    "results.export.done": {
        "sv": "Sparat i {folder}: {html}, {csv} och {assessment}",
        "en": "Saved in {folder}: {html}, {csv} and {assessment}",
    },
    "data.read_only_folder": {
        "sv": "Datamappen går inte att skriva i (en skrivskyddad disk eller mapp), så Tillit är skrivskyddad: du kan läsa allt, men inget du ändrar sparas.",
        "en": "The data folder cannot be written (a read-only disk or folder), so Tillit is read-only: you can read everything, and nothing you change is saved.",
    },
    "data.read_only": {
        "sv": "En annan Tillit är öppen på den här datamappen; den här är skrivskyddad — stäng den andra för att kunna spara.",
        "en": "Another Tillit is open on this data folder; this one is read-only — close the other one to write.",
    },
}


def describe_failure(action: str, path: object, reason: str, advice: str, lang: str) -> str:
    """'Could not save FILE: REASON; WHAT TO DO.' in `lang` (action: save, read or folder)."""
    return tr(f"error.{action}", lang, path=path, reason=reason, advice=tr(f"advice.{advice or 'generic'}", lang))


def describe(err: Exception, lang: str) -> str:
    """An error as one sentence in `lang` when its parts are known, else its own (English) sentence."""
    sentence = getattr(err, "sentence", None)
    if callable(sentence):
        return str(sentence(lang))
    action = getattr(err, "action", "")
    if action and f"error.{action}" in STRINGS:
        return describe_failure(
            action, getattr(err, "path", ""), getattr(err, "reason", ""), getattr(err, "advice", ""), lang
        )
    return str(err)


def lookup(table: Mapping[str, Mapping[str, str]], key: str, lang: str, **values: Any) -> str:
    """The text for `key` in `lang` from a table of {key: {lang: text}} (English when missing), filled in."""
    entry = table[key]
    text = entry.get(lang) or entry["en"]
    return text.format(**values) if values else text


def tr(key: str, lang: str, **values: Any) -> str:
    """The app's string for `key` in `lang` (English when missing), with `values` filled in."""
    return lookup(STRINGS, key, lang, **values)
