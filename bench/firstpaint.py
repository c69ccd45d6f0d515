"""Child process for bench/startup.py: start one app headless and report its first paint.

Usage (run by startup.py, one fresh interpreter per measurement):

    python bench/firstpaint.py tillit DATA_DIR
    python bench/firstpaint.py bare LESSON_FILE

Both apps get the same probe, installed on `textual.app.App` itself before the app starts:

* `App.run` is made to run headless at 80×24, so no terminal is needed;
* `App.post_display_hook` (called after every frame the screen hands to the display) renders the
  current screen to text and, the first time that text contains the needle from
  $TILLIT_BENCH_NEEDLE, writes one line to the file descriptor in $TILLIT_BENCH_FD (with the
  process's CPU time so far) and exits.

So "first paint" is the first frame that shows the content the user came for: for Tillit, a row of
the filled lesson table on the home screen; for the bare app, the lesson's first heading. Rendering
the screen to text in the probe also stands in for the rendering a real terminal would pay for
(headless Textual skips writing the frame). Tillit is started through its real entry point,
`course.cli.main.main`, with the built-in course and an empty data folder.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

SIZE = (80, 24)
FD_VAR = "TILLIT_BENCH_FD"
NEEDLE_VAR = "TILLIT_BENCH_NEEDLE"
REPORT = "painted {cpu:.6f}\n"


def lesson_body(path: Path) -> str:
    """A lesson file's Markdown body: everything after the front matter's closing `+++` line."""
    lines = path.read_text(encoding="utf-8").splitlines()
    closing = next(i for i, line in enumerate(lines) if i > 0 and line.strip() == "+++")
    return "\n".join(lines[closing + 1 :]).strip("\n") + "\n"


def install_probe(needle: str, report_fd: int) -> None:
    """Make every Textual app run headless and report (then exit) on its first frame showing `needle`."""
    from textual.app import App

    original_run = App.run

    def headless_run(self: App[Any], **kwargs: Any) -> Any:
        kwargs.update(headless=True, size=SIZE)
        return original_run(self, **kwargs)

    def probe(self: App[Any]) -> None:
        if getattr(self, "_bench_painted", False) or not self.screen_stack:
            return
        text = "\n".join(strip.text for strip in self.screen._compositor.render_strips())
        if needle in text:
            self._bench_painted = True  # type: ignore[attr-defined]
            os.write(report_fd, REPORT.format(cpu=time.process_time()).encode())
            os.close(report_fd)
            self.exit()

    App.run = headless_run  # type: ignore[method-assign]
    App.post_display_hook = probe  # type: ignore[method-assign]


def run_bare(lesson_file: Path) -> int:
    """A bare Textual app: one Markdown widget showing the lesson's body."""
    from textual.app import App, ComposeResult
    from textual.widgets import Markdown

    class BareApp(App[None]):
        def __init__(self, body: str) -> None:
            super().__init__()
            self.body = body

        def compose(self) -> ComposeResult:
            yield Markdown(self.body)

    BareApp(lesson_body(lesson_file)).run()
    return 0


def run_tillit(data_dir: Path) -> int:
    """The real app, through its command-line entry point."""
    from course.cli.main import main

    return main(["--data", str(data_dir), "--lang", "en"])


def main(argv: list[str]) -> int:
    """Install the probe, then start the app named by argv[0] ("tillit" or "bare")."""
    if len(argv) != 2 or argv[0] not in ("tillit", "bare"):
        print("usage: firstpaint.py tillit DATA_DIR | bare LESSON_FILE", file=sys.stderr)
        return 2
    install_probe(os.environ[NEEDLE_VAR], int(os.environ[FD_VAR]))
    if argv[0] == "tillit":
        return run_tillit(Path(argv[1]))
    return run_bare(Path(argv[1]))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
