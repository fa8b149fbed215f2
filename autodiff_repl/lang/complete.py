"""Tab completion from the interpreter's own allowlists: names in scope, facade members, the
attributes of a value after a dot, commands and meta commands. Nothing is called or evaluated:
only plain dotted names (``torch.autograd.``, ``x.``) are resolved."""

from __future__ import annotations

import keyword
import re
import warnings

from autodiff_repl.lang import attributes, commands
from autodiff_repl.lang.scopes import MISSING

_KEYWORDS = ("def", "return", "lambda", "if", "elif", "else", "while", "for", "in", "break",
             "continue", "pass", "with", "import", "from", "as", "not", "and", "or", "is",
             "None", "True", "False", "assert", "del")


def complete(session, text: str) -> list[str]:
    """Candidates completing the identifier fragment at the end of ``text`` (sorted)."""
    stripped = text.lstrip()
    if stripped.startswith(":") and " " not in stripped:
        return sorted(":" + m for m in commands.META if (":" + m).startswith(stripped))
    match = re.search(r"([A-Za-z_][\w.]*)?$", text)
    tail = match.group(0) if match else ""
    if "." in tail:
        owner_path, fragment = tail.rsplit(".", 1)
        owner = _resolve(session, owner_path)
        if owner is MISSING:
            return []
        names = attributes.allowed_names(owner)
        return sorted(n for n in names if n.startswith(fragment) and not n.startswith("_"))
    fragment = tail
    names = set(session._globals.names()) | set(session.builtins) | set(_KEYWORDS)
    if stripped == fragment:
        names |= set(commands.COMMANDS)
    return sorted(n for n in names if n.startswith(fragment)
                  and (not keyword.iskeyword(n) or n in _KEYWORDS))


def _resolve(session, path: str):
    """The value of a dotted name, through the allowlists only; MISSING if it has none."""
    parts = path.split(".")
    value = session._globals.get(parts[0])
    if value is MISSING:
        value = session.builtins.get(parts[0], MISSING)
    for part in parts[1:]:
        if value is MISSING or part.startswith("_"):
            return MISSING
        if part not in attributes.allowed_names(value):
            return MISSING
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                value = attributes.load(value, part, session.limits)
        except Exception:  # a property that fails ends the completion quietly
            return MISSING
    return value
