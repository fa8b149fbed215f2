"""Explanations drawn for a terminal: the models of ``explain`` as rich renderables.

``to_rich(model)`` takes a ``Graph``, ``Trace`` or ``Why`` (or DOT text) and returns something a
``rich.console.Console`` prints: each titled block becomes a panel, each styled span gets a
colour. The words are those of ``model.plain()``; only colour and boxes are added. A model is laid
out when printed, for the columns the terminal has then (``options.max_width``): a model whose
``blocks`` takes a ``width`` (the graph's table) gets a compact layout of the same content when
the full one would not fit (see ``graph_text.Layout``), and every line that is not a column of a
table wraps between words as ``explain.wrap`` says (numbers and code kept whole). rich is
imported here, lazily, and nowhere in ``explain``. ``plain_fitted`` is the same fitting without
colour or boxes, for a terminal with ``NO_COLOR``; ``Wrapped`` wraps any styled line that way
(errors and hints, from ``render``).
"""

from __future__ import annotations

import inspect

STYLES = {
    "name": "bold cyan",
    "op": "yellow",
    "gradfn": "magenta",
    "value": "",
    "grad": "bold green",
    "meta": "dim",
    "note": "italic",
    "good": "bold green",
    "bad": "bold red",
    "hint": "bold blue",
    "dim": "dim",
    "title": "bold",
    "leaf": "blue",
    "constant": "dim",
    "detached": "red",
}


def _text(lines, keys: bool = True):
    """Lines of ``(text, style)`` spans as one rich Text: the styles are keys of ``STYLES``
    (unknown keys get none), or with ``keys=False`` rich styles already."""
    from rich.text import Text

    out = Text()
    for k, ln in enumerate(lines):
        if k:
            out.append("\n")
        for chunk, style in ln:
            out.append(chunk, style=STYLES.get(style, "") if keys else style)
    out.rstrip()
    return out


def _is_hint(ln) -> bool:
    return bool(ln) and ln[0][1] == "hint" and ln[0][0].startswith("hint:")


PANEL = 4  # columns a panel takes around its lines: a border and a space on each side
INDENT = 2  # columns plain text indents a block's lines by, under its title


def _blocks(model, width: int):
    """The model's blocks for ``width`` columns, when its layout depends on them."""
    if "width" in inspect.signature(model.blocks).parameters:
        return model.blocks(width=width)
    return model.blocks()


def _fit(block, width: int, hints: bool) -> list:
    """The block's lines to show (``hint:`` ones only with ``hints``), each wrapped at ``width``
    unless they are columns (an ``aligned`` block, which a terminal folds instead)."""
    from autodiff_repl.explain.wrap import wrap_line

    lines = [ln for ln in block.lines if hints or not _is_hint(ln)]
    if block.aligned:
        return lines
    return [piece for ln in lines for piece in wrap_line(ln, width)]


def plain_fitted(model, width: int, hints: bool = True) -> str:
    """``model.plain()`` laid out for a terminal ``width`` columns wide, as ``to_rich`` lays it
    out in colour, without colour or boxes: a graph too wide for its full table gets the compact
    layout, and the other lines (the trace's steps, loop notes, hints) wrap between words. The
    graph's columns are never re-wrapped: a terminal too narrow even for the compact layout
    folds them."""
    from autodiff_repl.explain.text import plain_line

    out: list[str] = []
    for block in _blocks(model, width - INDENT):
        if block.title:
            out.append(block.title)
        indent = " " * INDENT if block.title else ""
        out += [(indent + plain_line(ln)).rstrip()
                for ln in _fit(block, width - len(indent), hints)]
    return "\n".join(out) + "\n"


def to_rich(model, hints: bool = True):
    """A rich renderable with the same content as ``model.plain()``; ``hints=False`` drops the
    ``hint:`` lines (``:hints off``)."""
    from rich.syntax import Syntax

    if isinstance(model, str):  # DOT text
        return Syntax(model, "dot", theme="ansi_dark", word_wrap=True)
    return _Fitted(model, hints)


def _group(blocks, hints: bool, width: int):
    from rich.console import Group
    from rich.panel import Panel

    parts = []
    for block in blocks:
        lines = _fit(block, width - PANEL if block.title else width, hints)
        if not lines and not block.title:
            continue
        body = _text(lines)
        if block.title:
            title = f"[bold]{_escape(block.title)}"
            panel = Panel(body, title=title, title_align="left", expand=False, border_style="dim")
            parts.append(_Aligned(panel, body, title) if block.aligned else panel)
        else:
            parts.append(body)
    return Group(*parts)


class _Fitted:
    """A model drawn for the width it gets when printed."""

    def __init__(self, model, hints: bool) -> None:
        self.model, self.hints = model, hints

    def __rich_console__(self, console, options):
        width = options.max_width
        yield _group(_blocks(self.model, width - PANEL), self.hints, width)


class Wrapped:
    """Lines of ``(text, rich style)`` spans, each wrapped between words (``explain.wrap``) at
    the width it is printed at: an error's ``Type: message`` and its ``hint:`` lines in colour,
    broken where the plain text breaks."""

    def __init__(self, *lines) -> None:
        self.lines = lines

    def __rich_console__(self, console, options):
        from autodiff_repl.explain.wrap import wrap_line

        pieces = [p for ln in self.lines for p in wrap_line(ln, options.max_width)]
        yield _text(pieces, keys=False)


class _Aligned:
    """A panel of columns that falls back to unboxed lines, each on its own line however long
    (the terminal folds them), when the terminal is too narrow for the panel: re-wrapped inside
    the box the columns would be lost, and cropped the values would."""

    def __init__(self, panel, body, title: str) -> None:
        self.panel, self.body, self.title = panel, body, title

    def __rich_console__(self, console, options):
        from rich.text import Text

        widest = max((len(row) for row in self.body.plain.split("\n")), default=0)
        if widest + PANEL <= options.max_width:
            yield self.panel
            return
        yield Text.from_markup(self.title)
        body = self.body.copy()
        body.no_wrap, body.overflow = True, "ignore"
        yield body


def _escape(s: str) -> str:
    from rich.markup import escape

    return escape(s)
