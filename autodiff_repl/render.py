"""Output events -> text for the user: plain text (pipes, NO_COLOR, transcripts, tests) or rich.

``plain(outputs)`` is the one definition of what a run prints; a transcript's expected blocks are
compared with it. The terminal rendering (``to_console``) shows the same content with colour.
``write(outputs, stream, color=...)`` picks one of the two; ``wants_color(stream)`` decides which.
Plain text on a terminal (``NO_COLOR``, ``--no-color``) is fitted to the terminal's width, as the
colour rendering is: ``plain(outputs, width=terminal_width(stream))`` lays a graph out for it and
wraps errors, hints, warnings and explanations between words (``explain.wrap``: numbers and code
kept whole); values and printed text are never wrapped (a tensor prints as PyTorch prints it).
In a pipe or a file ``terminal_width`` is None and nothing is wrapped, so transcripts and tests
see the same text. rich is imported only when colour is wanted, so plain runs start fast.
"""

from __future__ import annotations

import os
from typing import IO, Any

from autodiff_repl import outputs as out


def plain_lines(item: out.Output, *, hints: bool = True, width: int | None = None) -> list[str]:
    """The plain-text lines of one output event; ``width``: a terminal's columns, to fit to
    (None: nothing wrapped, the full table of a graph, as in a pipe or a transcript). Fitted
    are the ``Type: message``, warning and ``hint:`` lines (wrapped between words, see
    ``explain.wrap``) and explanations; never code, values and printed text."""
    if isinstance(item, out.Echo | out.Printed | out.Info):
        return item.text.split("\n")
    if isinstance(item, out.Error):
        lines = _wrapped(_head(item), width)
        if item.source is not None and item.col is not None:
            lines += [f"    {item.source}", "    " + " " * (item.col - 1) + "^"]
        if hints:
            for h in item.hints:
                lines += _wrapped(f"hint: {h}", width)
        return lines
    if isinstance(item, out.Warning):
        return _wrapped(f"{item.category}: {item.message}", width)
    if isinstance(item, out.Hint):
        return _wrapped(f"hint: {item.text}", width) if hints else []
    if isinstance(item, out.Explanation):
        text = item.data.plain() if width is None else _fitted(item.data, width, hints)
        if not hints:
            return [line for line in text.split("\n") if not line.startswith("hint:")]
        return text.split("\n")
    return []


def _head(item: out.Error) -> str:
    """``Type: message``, without the line break a message may end with (GradcheckError's
    does): the hints follow it directly."""
    message = item.message.rstrip("\n")
    return f"{item.type}: {message}" if message else item.type


def _wrapped(text: str, width: int | None) -> list[str]:
    """The lines of ``text``, each wrapped between words at ``width`` (None: as they are)."""
    lines = text.split("\n")
    if width is None or all(len(line) <= width for line in lines):
        return lines
    from autodiff_repl.explain.wrap import wrap_text

    return [piece for line in lines for piece in wrap_text(line, width)]


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
    """Print ``outputs`` on ``stream``: ``plain()``'s lines (fitted to the width of a terminal),
    or the rich rendering."""
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
        message = _head(item)[len(item.type):]
        head = [(item.type, "bold red")] + ([(message, "red")] * bool(message))
        parts: list[Any] = [_words(head)]
        if item.source is not None and item.col is not None:
            parts.append(Text("    " + item.source))
            parts.append(Text("    " + " " * (item.col - 1) + "^", style="bold red"))
        if hints:
            parts += [_words([(f"hint: {h}", "dim")]) for h in item.hints]
        return parts
    if isinstance(item, out.Warning):
        return [_words([(item.category, "bold yellow"), (": " + item.message, "yellow")])]
    if isinstance(item, out.Hint):
        return [_words([(f"hint: {item.text}", "dim")])] if hints else []
    if isinstance(item, out.Explanation):
        return [_explanation(item, hints=hints)]
    return []


def _words(spans: list[tuple[str, str]]) -> Any:
    """Styled spans of words (``(text, rich style)``) that wrap as their plain text does at the
    width they are printed at (``render_explain.Wrapped``)."""
    from autodiff_repl.render_explain import Wrapped

    return Wrapped(*_lines(spans))


def _lines(spans: list[tuple[str, str]]) -> list[tuple[tuple[str, str], ...]]:
    """Styled spans cut into lines at their line breaks (a message may hold some)."""
    lines: list[list[tuple[str, str]]] = [[]]
    for text, style in spans:
        for k, piece in enumerate(text.split("\n")):
            if k:
                lines.append([])
            if piece:
                lines[-1].append((piece, style))
    return [tuple(ln) for ln in lines]


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
