"""Explanations drawn for a terminal: the models of ``explain`` as rich renderables.

``to_rich(model)`` takes a ``Graph``, ``Trace`` or ``Why`` (or DOT text) and returns something a
``rich.console.Console`` prints: each titled block becomes a panel, each styled span gets a
colour. The words are exactly those of ``model.plain()``; only colour and boxes are added. rich is
imported here, lazily, and nowhere in ``explain``.
"""

from __future__ import annotations

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


def _text(lines):
    from rich.text import Text

    out = Text()
    for k, ln in enumerate(lines):
        if k:
            out.append("\n")
        for chunk, style in ln:
            out.append(chunk, style=STYLES.get(style, ""))
    out.rstrip()
    return out


def _is_hint(ln) -> bool:
    return bool(ln) and ln[0][1] == "hint" and ln[0][0].startswith("hint:")


def to_rich(model, hints: bool = True):
    """A rich renderable with the same content as ``model.plain()``; ``hints=False`` drops the
    ``hint:`` lines (``:hints off``)."""
    from rich.console import Group
    from rich.panel import Panel
    from rich.syntax import Syntax

    if isinstance(model, str):  # DOT text
        return Syntax(model, "dot", theme="ansi_dark", word_wrap=True)
    parts = []
    for block in model.blocks():
        lines = [ln for ln in block.lines if hints or not _is_hint(ln)]
        if not lines and not block.title:
            continue
        body = _text(lines)
        if block.title:
            parts.append(Panel(body, title=f"[bold]{_escape(block.title)}", title_align="left",
                               expand=False, border_style="dim"))
        else:
            parts.append(body)
    return Group(*parts)


def _escape(s: str) -> str:
    from rich.markup import escape

    return escape(s)
