"""The words of the guide's reasons: why a learner's session differs from what a step expects.

Each function gets what it needs (the step, the learner's inputs, the tensors) and returns a
sentence without its "Not yet: ". ``lesson_guide`` decides which one applies:

- ``in_graph``: a variable the step makes as a constant (``u = y.detach()``) was kept in the
  graph (``u = y``), so backward() sent gradient through it;
- ``not_a_leaf``: a variable the step makes as a leaf was computed from another tensor;
- ``piled_up``: a ``.grad`` holds more backward passes than the step's (``lesson_passes``);
- ``scaled``: a ``.grad`` is k times the step's from as many passes as the step's;
- ``unshown``: the value the step ends with was not shown;
- ``unquoted``: a word typed without quotes where the step expects a string
  (``mode = reverse``).
"""

from __future__ import annotations

import re
from typing import Any

from autodiff_repl import lesson_values as lv
from autodiff_repl import transcript as tx
from autodiff_repl.engine.graph import reachable
from autodiff_repl.engine.tensor import Tensor
from autodiff_repl.lesson_reference import Reference, bound_to, uses

_BOOLEANS = re.compile(r"(?:tensor\()?[\s\[\],]*(?:(?:True|False)[\s\[\],]*)+\)?")
_ASSIGNED = re.compile(r"\s*([A-Za-z_]\w*)\s*=\s*([^\s'\"=].*?)\s*")


def _is_comparison(printout: str) -> bool:
    """Whether a printed value holds only booleans (``tensor([True, False])``, ``True``)."""
    return bool(_BOOLEANS.fullmatch(printout.strip()))


def _made(inputs: list[str], name: str) -> str | None:
    """What the learner's latest input that binds ``name`` binds it to, as written."""
    return next((b for text in reversed(inputs) if (b := bound_to(text, name))), None)


def _wanted(step: tx.Step, name: str) -> str | None:
    """What the step's reference answer binds ``name`` to, as written."""
    return next((b for source in step.sources if (b := bound_to(source, name))), None)


def _listed(names: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 2 else names)


def in_graph(step: tx.Step, inputs: list[str], name: str, variables: dict[str, Any]) -> str:
    """Why ``name`` must not require gradients where the step makes it a constant: the
    learner's code kept it in the graph, so a backward() through what was computed from it
    sends gradient through it into the leaves behind it; and the step's way to make it."""
    tensor, made, wanted = variables[name], _made(inputs, name), _wanted(step, name)
    fix = f"; make it a constant, as this step does: {name} = {wanted}" if wanted else ""
    node = tensor.grad_fn
    if node is None:
        return f"{name} should not require gradients: it is a leaf that asks for them{fix}"
    tensors = {n: v for n, v in variables.items() if isinstance(v, Tensor) and v is not tensor}
    behind = {id(getattr(m, "variable", None)) for m in reachable(node)}
    leaves = [n for n, v in tensors.items() if v.is_leaf and v.requires_grad and id(v) in behind]
    users = [n for n, v in tensors.items() if v.grad_fn is not None
             and any(m is node for m in reachable(v.grad_fn))]
    kept = f"{name} = {made} keeps {name} in the graph" if made else (
        f"{name} is part of the graph")
    through = (f"the gradient of {_listed(users)} flows back through {name}" if users
               else f"a backward() through {name} sends gradient back")
    into = f" into {_listed(leaves)}" if leaves else ""
    return f"{name} should not require gradients: {kept}, so {through}{into}{fix}"


def not_a_leaf(step: tx.Step, inputs: list[str], name: str) -> str:
    """Why ``name`` must be a leaf, where the reference's is and the learner's is not: the
    learner's code that made it from another tensor, and the reference's that makes it."""
    made, wanted = _made(inputs, name), _wanted(step, name)
    how = (f"{made} made a new tensor from {'it' if uses(made, name) else 'another one'}"
           if made else "it was computed from another tensor")
    fix = (f"create it directly: {name} = {wanted}" if wanted
           else "create it directly, with requires_grad=True")
    return (f"{name} is not a leaf: {how}, and backward() fills the .grad of leaves only; "
            f"{fix}")


def piled_up(name: str, held: int, made: int, base: Any) -> str:
    """``name.grad`` holds ``held`` backward passes where the step's holds ``made``; ``base``:
    what the step's own gradients add to (``lv.added_up``)."""
    what = (f"holds the sum of {held} backward() passes since it was last cleared, where this "
            f"step expects {made}")
    return lv.added_up(name, what, base=base)


def scaled(name: str, k: float, passes: int) -> str:
    """``name.grad`` is ``k`` times the step's, from as many passes as the step's (none
    left over): what was differentiated, or the gradient it started from, differs."""
    times = f"{k:g} times"
    count = "a single backward()" if passes == 1 else f"{passes} backward() passes, as the step"
    return (f"{name}.grad is {times} what this step expects, from {count} (nothing is left over "
            f"from another pass): what you differentiated, or the gradient= it started from, "
            f"is {times} the step's")


def unshown(step: tx.Step, ref: Reference, showed: list[str]) -> str:
    """What to show, when the learner has not shown the value the step ends with (``showed``:
    what their last input showed): a comparison that gives other booleans is told what the
    step compares, a comparison where the step wants values (or values where it wants a
    comparison) is told so; a value that shows nothing is to be looked at."""
    last = step.sources[-1]
    if ref.ends_looking and "\n" not in last:
        return f"now look at {last}"
    wanted = (ref.last_shown or ref.shown)[-1:]
    got = showed[-1:]
    if wanted and got and "\n" not in last:
        wants, gives = _is_comparison(wanted[0]), _is_comparison(got[0])
        if wants and gives:
            return (f"your comparison gives {got[0]}; the step compares {last}, which "
                    f"gives {wanted[0]}")
        if wants:
            return f"the step asks for a comparison: {last}"
        if gives:
            return (f"that is a comparison ({got[0]}); the step asks for the value itself: "
                    f"show {last}")
    return (f"now show {last}" if ref.changed and "\n" not in last
            else "show the value the step asks for")


def unquoted(text: str, refs: list[Reference]) -> str | None:
    """The hint for ``mode = reverse`` (or ``mode = reverse mode``) where a step's answer
    (``refs``: the reference and the answers it also accepts) binds ``mode`` to a string:
    Python reads a bare word as a name, so the string needs quotes."""
    match = _ASSIGNED.fullmatch(text)
    if not match or lv.words(match[2]) is None:
        return None
    if not any(isinstance(ref.changed.get(match[1]), str) for ref in refs):
        return None
    read = "the name of a variable" if match[2].isidentifier() else "code"
    return (f"without quotes, Python reads {match[2]} as {read}; an answer in words is a "
            f'string, in quotes: {match[1]} = "{match[2]}"')
