"""Output events -> text for the user: plain text (pipes, NO_COLOR, transcripts, tests) or rich.

``plain(outputs)`` is the one definition of what a run prints; a transcript's expected blocks are
compared with it. The terminal rendering (``to_console``) shows the same content with colour.
``write(outputs, stream, color=...)`` picks one of the two; ``wants_color(stream)`` decides which.
Plain text on a terminal (``NO_COLOR``, ``--no-color``) lays a graph out for the terminal's width,
as the colour rendering does: ``plain(outputs, width=terminal_width(stream))``; in a pipe or a file
``terminal_width`` is None and the full table is printed. rich is imported only when colour is
wanted, so plain runs start fast.
"""

from __future__ import annotations

import os
from typing import IO, Any

from autodiff_repl import outputs as out


def plain_lines(item: out.Output, *, hints: bool = True, width: int | None = None) -> list[str]:
    """The plain-text lines of one output event; ``width``: a terminal's columns, to fit a graph
    to (None: the full table, as in a pipe or a transcript)."""
    if isinstance(item, out.Echo | out.Printed | out.Info):
        return item.text.split("\n")
    if isinstance(item, out.Error):
        lines = [f"{item.type}: {item.message}" if item.message else item.type]
        if item.source is not None and item.col is not None:
            lines += [f"    {item.source}", "    " + " " * (item.col - 1) + "^"]
        if hints:
            lines += [f"hint: {h}" for h in item.hints]
        return lines
    if isinstance(item, out.Warning):
        return [f"{item.category}: {item.message}"]
    if isinstance(item, out.Hint):
        return [f"hint: {item.text}"] if hints else []
    if isinstance(item, out.Explanation):
        text = item.data.plain() if width is None else _fitted(item.data, width, hints)
        if not hints:
            return [line for line in text.split("\n") if not line.startswith("hint:")]
        return text.split("\n")
    return []


def _fitted(model: Any, width: int, hints: bool) -> str:
    from autodiff_repl.render_explain import plain_fitted

    return plain_fitted(model, width, hints)


def plain(outputs: list[out.Output], *, hints: bool = True, width: int | None = None) -> str:
    """All events as plain text, one line per line, no trailing newline; ``width`` as in
    ``plain_lines``."""
    lines: list[str] = []
    for item in outputs:
        lines += plain_lines(item, hints=hints, width=width)
    return "\n".join(lines)


def terminal_width(stream: IO[str]) -> int | None:
    """The columns of the terminal ``stream`` writes to (``COLUMNS`` first, as rich does); None
    when ``stream`` is not a terminal."""
    isatty = getattr(stream, "isatty", None)
    if not (isatty and isatty()):
        return None
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    try:
        return os.get_terminal_size(stream.fileno()).columns or None
    except (AttributeError, OSError, ValueError):
        return None


def wants_color(stream: IO[str], *, no_color: bool = False) -> bool:
    """Colour only on a terminal, and never with ``--no-color``, ``NO_COLOR`` or ``TERM=dumb``."""
    if no_color or os.environ.get("NO_COLOR") or os.environ.get("TERM") in ("dumb", "unknown"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def make_console(stream: IO[str]) -> Any:
    """A rich Console on ``stream`` that never guesses highlights (``to_console`` decides what
    may be wrapped)."""
    from rich.console import Console

    return Console(file=stream, highlight=False)


def write(
    outputs: list[out.Output], stream: IO[str], *, hints: bool = True, color: bool = False,
    console: Any = None,
) -> None:
    """Print ``outputs`` on ``stream``: ``plain()``'s lines (a graph fitted to the width of a
    terminal), or the rich rendering."""
    if color:
        to_console(console or make_console(stream), outputs, hints=hints)
        return
    width = terminal_width(stream)
    lines: list[str] = []
    for item in outputs:
        lines += plain_lines(item, hints=hints, width=width)
    if lines:
        stream.write("\n".join(lines) + "\n")
    stream.flush()


def to_console(console: Any, outputs: list[out.Output], *, hints: bool = True) -> None:
    """Print ``outputs`` on a rich ``console`` in colour. User text is never read as markup."""
    for item in outputs:
        # Echoed values and printed text keep their own line breaks (a tensor's repr is laid out
        # as PyTorch lays it out; the terminal folds what is too long); explanation panels wrap
        # their lines to the width of the terminal.
        soft = not isinstance(item, out.Explanation)
        for renderable in _renderables(item, hints=hints):
            console.print(renderable, soft_wrap=soft, crop=False)


def _renderables(item: out.Output, *, hints: bool) -> list[Any]:
    from rich.text import Text

    if isinstance(item, out.Echo):
        return [_highlighted(item.text)]
    if isinstance(item, out.Printed | out.Info):
        return [Text(item.text)]
    if isinstance(item, out.Error):
        head = Text()
        head.append(item.type, style="bold red")
        if item.message:
            head.append(": " + item.message, style="red")
        parts: list[Any] = [head]
        if item.source is not None and item.col is not None:
            parts.append(Text("    " + item.source))
            parts.append(Text("    " + " " * (item.col - 1) + "^", style="bold red"))
        if hints:
            parts += [Text(f"hint: {h}", style="dim") for h in item.hints]
        return parts
    if isinstance(item, out.Warning):
        line = Text()
        line.append(item.category, style="bold yellow")
        line.append(": " + item.message, style="yellow")
        return [line]
    if isinstance(item, out.Hint):
        return [Text(f"hint: {item.text}", style="dim")] if hints else []
    if isinstance(item, out.Explanation):
        return [_explanation(item, hints=hints)]
    return []


def _highlighted(text: str) -> Any:
    from rich.highlighter import ReprHighlighter
    from rich.text import Text

    rich_text = Text(text)
    ReprHighlighter().highlight(rich_text)
    return rich_text


def _explanation(item: out.Explanation, *, hints: bool) -> Any:
    from rich.text import Text

    try:
        from autodiff_repl.render_explain import to_rich
    except ImportError:
        return Text("\n".join(plain_lines(item, hints=hints)))
    import inspect

    if "hints" in inspect.signature(to_rich).parameters:
        return to_rich(item.data, hints=hints)
    return to_rich(item.data)
