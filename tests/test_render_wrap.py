"""Errors, hints, warnings and explanations fitted to a terminal's width without colour
(``NO_COLOR``, ``--no-color``, ``autodiff run`` on a terminal, lessons) and in colour: wrapped
between words, never inside a word, a number, a list of numbers or a call; continuation lines
hang under the text (6 spaces after ``hint: ``). Echoed values and printed text are never
wrapped, and a pipe or a transcript (no width) gets every line as it is.
"""

from __future__ import annotations

import io
import re

import pytest
from test_explain_support import d2l, recording

import autodiff_repl.engine as torch
from autodiff_repl import outputs as out
from autodiff_repl import render, repl
from autodiff_repl.explain import trace
from autodiff_repl.explain.wrap import hang, wrap_line, wrap_text
from autodiff_repl.render_explain import plain_fitted

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
ARRAY = re.compile(r"\[[^\[\]]*\]|\[\[.*?\]\]")

NOT_A_LEAF = ("The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its "
              ".grad attribute won't be populated during autograd.backward(). If you indeed want "
              "the .grad field to be populated for a non-leaf Tensor, use .retain_grad() on the "
              "non-leaf Tensor. If you access the non-leaf Tensor by mistake, make sure you "
              "access the leaf Tensor instead. See github.com/pytorch/pytorch/pull/30531 for more "
              "information.")
NO_GRAD = out.Error("RuntimeError", "element 0 of tensors does not require grad and does not "
                    "have a grad_fn", (
                        "y was computed from x, which does not require grad, so no graph was "
                        "recorded",
                        "call x.requires_grad_() (or create x with requires_grad=True), then "
                        "compute y again"))
NON_SCALAR = out.Error("RuntimeError", "grad can be implicitly created only for scalar outputs", (
    "or pass the vector v of vᵀJ, a tensor of y's shape: "
    "y.backward(gradient=torch.ones_like(y)) then read x.grad",))
EVENTS: list[out.Output] = [
    NO_GRAD, NON_SCALAR, out.Warning("UserWarning", NOT_A_LEAF),
    out.Hint("a tolerance of 0.0001 + 0.001·|fd| is used; `with torch.no_grad(): x -= 0.1 * "
             "x.grad` updates x without recording"),
]


class FakeTerminal(io.StringIO):
    """A stream that says it is a terminal; its width comes from ``COLUMNS``."""

    def isatty(self) -> bool:
        return True


def _words(text: str) -> list[str]:
    return text.split()


# --- the rule -------------------------------------------------------------------------------------

@pytest.mark.parametrize("width", [30, 40, 60, 80, 100])
def test_lines_fit_and_keep_every_word(width: int) -> None:
    for item in EVENTS:
        whole = render.plain([item])
        fitted = render.plain([item], width=width)
        assert _words(fitted) == _words(whole)  # nothing split inside a word, nothing lost
        for row in fitted.split("\n"):  # a word longer than a line (a URL) has one of its own
            assert len(row) <= width or len(row.split()) == 1, row


@pytest.mark.parametrize("width", [40, 60, 80])
def test_code_and_numbers_stay_whole(width: int) -> None:
    fitted = render.plain(EVENTS, width=width)
    for whole in ("y.backward(gradient=torch.ones_like(y))", "(or create x with",
                  "`with torch.no_grad(): x -= 0.1 * x.grad`", "0.0001 + 0.001·|fd|"):
        assert whole in fitted or len(whole) > width - 6 or whole.startswith("(or")
    for token in ("requires_grad", "0.0001", "y.backward", "grad_fn", "x.requires_grad_()"):
        assert token in fitted


def test_a_command_in_a_hint_stays_on_one_line() -> None:
    hint = "hint: recompute y (run the line that makes it again), then run grad y x --create-graph"
    for width in range(40, 80):
        assert any("grad y x --create-graph" in row for row in wrap_text(hint, width)), width


WRAPPED_ERROR = [  # NO_GRAD at 80 columns (also what a pty shows: test_repl_wrap_pty)
    "RuntimeError: element 0 of tensors does not require grad and does not have a",
    "              grad_fn",
    "hint: y was computed from x, which does not require grad, so no graph was",
    "      recorded",
    "hint: call x.requires_grad_() (or create x with requires_grad=True), then",
    "      compute y again",
]


def test_continuation_lines_hang_under_the_text() -> None:
    rows = render.plain([NO_GRAD], width=80).split("\n")
    assert rows == WRAPPED_ERROR
    assert hang("  → x (input 1 of 2): ∂t1/∂x = x", 80) == 22
    assert hang("  ✓ x is a leaf (made directly)", 80) == 4
    assert hang("  upstream ∂y/∂t1 = 2", 80) == 6  # no label: 4 deeper than the line


def test_maths_breaks_before_an_operator_never_leaving_one_alone() -> None:
    line = ("  2 paths add up: ∂y/∂x = 2·x + 2·x = 4·x = [0, 2, 4, 6] + [0, 2, 4, 6] "
            "= [0, 4, 8, 12]")
    assert wrap_text(line, 74) == [
        "  2 paths add up: ∂y/∂x = 2·x + 2·x = 4·x = [0, 2, 4, 6] + [0, 2, 4, 6]",
        "                  = [0, 4, 8, 12]"]
    matrix = "  J = ∂y/∂x = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]"
    assert wrap_text(matrix, 44) == ["  J = ∂y/∂x = [[1, 0, 0, 0], [0, 1, 0, 0],",
                                     "      [0, 0, 1, 0], [0, 0, 0, 1]]"]  # between J's rows
    for width in range(24, 44):
        rows = wrap_text(matrix, width)
        assert all(row.strip() not in ("=", "×", "+") for row in rows)
        assert all(f"[{r}]" in "\n".join(rows) for r in ("1, 0, 0, 0", "0, 0, 0, 1"))


def test_a_styled_line_keeps_its_styles() -> None:
    ln = (("hint: ", "hint"), ("x.grad", "name"), (" is None: no backward() has reached x yet",
                                                    ""))
    rows = wrap_line(ln, 30)
    assert rows[0] == (("hint: ", "hint"), ("x.grad", "name"), (" is None: no", ""))
    assert all(row[0] == ("      ", "") for row in rows[1:])
    assert " ".join("".join(t for t, _ in row).strip() for row in rows) == "".join(
        t for t, _ in ln)


def test_without_a_width_nothing_changes() -> None:
    assert render.plain(EVENTS, width=None) == render.plain(EVENTS)
    assert "\n              " not in render.plain(EVENTS)
    assert render.plain(EVENTS).count("\n") == 6  # seven lines: one per message and hint


def test_values_and_printed_text_are_never_wrapped() -> None:
    with recording():
        w = torch.arange(40.0).reshape(4, 10)
    value = repr(w)
    assert max(len(row) for row in value.split("\n")) > 40
    events = [out.Echo(value), out.Printed("x" * 50 + " " + "y" * 50)]
    assert render.plain(events, width=40) == render.plain(events)


# --- where it shows -------------------------------------------------------------------------------

def test_written_on_a_terminal_it_wraps_and_in_a_pipe_it_does_not(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    terminal, pipe = FakeTerminal(), io.StringIO()
    render.write(EVENTS, terminal)
    render.write(EVENTS, pipe)
    assert terminal.getvalue() == render.plain(EVENTS, width=80) + "\n"
    assert pipe.getvalue() == render.plain(EVENTS) + "\n"
    assert max(len(row) for row in terminal.getvalue().split("\n")) <= 80


def test_hints_off_drops_their_continuation_lines_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    stream = FakeTerminal()
    render.write(EVENTS, stream, hints=False)
    assert "hint:" not in stream.getvalue() and "compute y again" not in stream.getvalue()


def test_colour_breaks_where_the_plain_text_does() -> None:
    from rich.console import Console

    for width in (50, 80):
        buffer = io.StringIO()
        console = Console(file=buffer, force_terminal=True, color_system="truecolor",
                          highlight=False, width=width)
        render.to_console(console, EVENTS)
        shown = ANSI.sub("", buffer.getvalue())
        assert shown == render.plain(EVENTS, width=width) + "\n"
        assert max(len(row) for row in shown.split("\n") if " " in row.strip()) <= width
        assert "\x1b[1;31mRuntimeError" in buffer.getvalue()


def test_the_welcome_fits_the_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    rows = repl.welcome(FakeTerminal()).split("\n")
    assert max(len(row) for row in rows) <= 60
    assert "x = torch.arange(4.0, requires_grad=True)" in rows[1]
    assert repl.welcome(io.StringIO()).split("\n")[0].endswith("e.g. x = torch.arange(4.0, "
                                                                "requires_grad=True)")


# --- the chain-rule trace -------------------------------------------------------------------------

def _vjp_trace():
    with recording():
        a = torch.ones(8, requires_grad=True)
        b = (a * a).reshape(2, 4)
    return trace.backward(b, {"a": a, "b": b}, gradient=torch.ones(2, 4))


def _forward_trace():
    with recording():
        x = torch.arange(4.0, requires_grad=True)
        z = x.exp().sin() * x.log1p() + x.sum()
    return trace.forward(z, x, None, {"x": x, "z": z})


@pytest.mark.parametrize("make", [lambda: trace.backward(*d2l()), _vjp_trace, _forward_trace])
@pytest.mark.parametrize("width", [60, 80, 100])
def test_a_trace_fits_the_width_with_its_numbers_whole(make, width: int) -> None:
    tr = make()
    whole = tr.plain()
    assert max(len(row) for row in whole.split("\n")) > width  # there is something to fit
    fitted = plain_fitted(tr, width)
    assert max(len(row) for row in fitted.split("\n")) <= width
    assert _words(fitted) == _words(whole)
    for array in ARRAY.findall(whole):
        assert array in fitted or len(array) > width - 8, array


def test_a_trace_in_colour_has_the_plain_lines_in_its_panels() -> None:
    from rich.console import Console

    from autodiff_repl.render_explain import to_rich

    tr = trace.backward(*d2l())
    console = Console(width=80, color_system=None, record=True, file=io.StringIO())
    console.print(to_rich(tr))
    boxed = [row.strip("│").strip() for row in console.export_text().split("\n")
             if row.startswith("│")]
    plain_rows = [row.strip() for row in plain_fitted(tr, 80).split("\n")]
    assert max(len(row) for row in console.export_text().split("\n")) <= 80
    assert "[0, 4, 8, 12]" in "\n".join(boxed)
    assert [row for row in boxed if row] == [row for row in plain_rows if row in boxed]
    assert len(boxed) > 10


def test_the_d2l_trace_at_80_columns() -> None:
    """What a learner sees after ``backward y`` in lesson 1 at 80 columns."""
    rows = plain_fitted(trace.backward(*d2l()), 80).split("\n")
    assert "  → x (input 1 of 2): ∂t1/∂x = x = [0, 1, 2, 3];" in rows
    assert "                      2·x = 2 × [0, 1, 2, 3] = [0, 2, 4, 6]" in rows
    assert "  2 paths add up: ∂y/∂x = 2·x + 2·x = 4·x = [0, 2, 4, 6] + [0, 2, 4, 6]" in rows
    assert "                  = [0, 4, 8, 12]" in rows
