"""The ``autodiff`` CLI as a typer app: the REPL, ``run``, ``lessons``, ``lesson N``, ``--version``.

``-h``/``--help`` and shell completion (``--install-completion``) come from typer; usage errors
exit 2 with the message on stderr; crash output never shows local variables; a flag (an option
that takes no value) shows no ``<bool>`` type in the help. The actions live in ``cli`` (shared
with its fast path); each command imports what it needs only when it runs.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer
import typer.core

from autodiff_repl import cli


def _hide_flag_types() -> None:
    """Typer 0.29 prints ``<bool>`` beside every flag in ``--help``, as if ``--no-hints`` took a
    value; show no type for flags (their own, ``--help`` and the completion options alike)."""
    option = typer.core.TyperOption
    shown = getattr(option, "display_type_rich", None)
    if shown is None or getattr(shown, "hides_flags", False):
        return

    def display_type_rich(self, ctx):
        return None if self.is_flag and not self.count else shown(self, ctx)

    display_type_rich.hides_flags = True
    option.display_type_rich = display_type_rich


_hide_flag_types()

app = typer.Typer(
    name=cli.PROG,
    help="Learn automatic differentiation by typing PyTorch code. "
    "With no command, starts the interactive REPL.",
    invoke_without_command=True,
    no_args_is_help=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_show_locals=False,
)

NoHints = Annotated[bool, typer.Option("--no-hints", help="Leave out the 'hint:' teaching notes.")]
NoColor = Annotated[bool, typer.Option("--no-color", help="Plain text, no colour (as NO_COLOR=1).")]


def _show_version(value: bool) -> None:
    if value:
        typer.echo(cli.version_text())
        raise typer.Exit(0)


@app.callback()
def root(
    ctx: typer.Context,
    no_hints: NoHints = False,
    no_color: NoColor = False,
    version: Annotated[
        bool,
        typer.Option("--version", help="Print the version and exit.", callback=_show_version,
                     is_eager=True),
    ] = False,
) -> None:
    """Learn automatic differentiation by typing PyTorch code; no command starts the REPL."""
    ctx.obj = {"no_hints": no_hints, "no_color": no_color}
    if ctx.invoked_subcommand is None:
        raise typer.Exit(cli.start_repl(hints=not no_hints, no_color=no_color))


def _flags(ctx: typer.Context, no_hints: bool, no_color: bool) -> tuple[bool, bool]:
    """``(hints, no_color)`` from the root options (``autodiff --no-hints run f``) and the
    command's own."""
    parent = ctx.obj or {}
    return (not (no_hints or parent.get("no_hints", False)),
            bool(no_color or parent.get("no_color", False)))


@app.command()
def run(
    ctx: typer.Context,
    file: Annotated[
        str,
        typer.Argument(metavar="FILE|-", help="A script or a transcript; '-' reads stdin."),
    ],
    exitfirst: Annotated[
        bool, typer.Option("-x", "--exitfirst", help="Stop at the first failing statement.")
    ] = False,
    check: Annotated[
        bool,
        typer.Option("--check", help="Compare a transcript's outputs with its expected blocks; "
                     "print a diff and exit 1 on a mismatch."),
    ] = False,
    update: Annotated[
        bool,
        typer.Option("--update", help="Rewrite a transcript's expected blocks that differ."),
    ] = False,
    no_hints: NoHints = False,
    no_color: NoColor = False,
) -> None:
    """Run a script or a lesson transcript and print what the REPL would print."""
    hints, no_color = _flags(ctx, no_hints, no_color)
    raise typer.Exit(cli.run_file(file, exitfirst=exitfirst, check=check, update=update,
                                  hints=hints, no_color=no_color))


@app.command()
def lessons() -> None:
    """List the lessons, with your progress."""
    from autodiff_repl import lessons as lesson_book

    lines = lesson_book.menu_lines(lesson_book.Progress())
    for line in lines:
        typer.echo(line)
    if lines:
        typer.echo("Start one with 'autodiff lesson N'.")


@app.command()
def lesson(
    ctx: typer.Context,
    number: Annotated[int, typer.Argument(metavar="N", help="The lesson number (see 'lessons').")],
    restart: Annotated[bool, typer.Option("--restart", help="Forget this lesson's progress.")]
    = False,
    no_hints: NoHints = False,
    no_color: NoColor = False,
) -> None:
    """Start lesson N: narration, you type, the tool checks your result."""
    hints, no_color = _flags(ctx, no_hints, no_color)
    from autodiff_repl import lessons as lesson_book

    try:
        lesson_book.lesson_info(number)
    except LookupError as exc:
        raise typer.BadParameter(str(exc), param_hint="N") from None
    options = {}
    if sys.stdin.isatty() and sys.stdout.isatty():
        from autodiff_repl.repl_prompt import LessonInput

        options["input_fn"] = LessonInput(no_color=no_color)
    try:
        code = lesson_book.run_lesson(number, hints=hints, restart=restart, **options)
    except KeyboardInterrupt:
        code = cli.INTERRUPTED
    raise typer.Exit(code or 0)
