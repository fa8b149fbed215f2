"""Output events -> text for the user: plain text (pipes, NO_COLOR, transcripts, tests) or rich.

``plain(outputs)`` is the one definition of what a run prints; a transcript's expected blocks are
compared with it. The terminal rendering (``to_console``) shows the same content with colour.
"""

from __future__ import annotations

from autodiff_repl import outputs as out


def plain_lines(item: out.Output, *, hints: bool = True) -> list[str]:
    """The plain-text lines of one output event."""
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
        text = item.data.plain()
        if not hints:
            return [line for line in text.split("\n") if not line.startswith("hint:")]
        return text.split("\n")
    return []


def plain(outputs: list[out.Output], *, hints: bool = True) -> str:
    """All events as plain text, one line per line, no trailing newline."""
    lines: list[str] = []
    for item in outputs:
        lines += plain_lines(item, hints=hints)
    return "\n".join(lines)
