"""``render_explain.to_rich``: the same words as ``plain()``, with colour and panels."""

from __future__ import annotations

import io

import pytest
from test_explain_support import broadcast, d2l, exercise, recording

import autodiff_repl.engine as torch
from autodiff_repl.explain import dot, graph, trace, why
from autodiff_repl.render_explain import to_rich


def _render(model, width: int = 100, **kw) -> str:
    from rich.console import Console

    console = Console(width=width, color_system=None, record=True, file=io.StringIO())
    console.print(to_rich(model, **kw) if kw else to_rich(model))
    return console.export_text()


def _words(text: str) -> set[str]:
    return {w for w in text.split() if w.strip("│╭╮╰╯─")}


def test_graph_renders_as_a_panel_with_the_same_words() -> None:
    y, names = d2l()
    g = graph.build(y, names)
    shown = _render(g)
    assert "╭─ graph of y: 1 leaf, 2 ops" in shown
    assert "DotBackward0" in shown and "x ↑ (drawn above)" in shown
    assert _words(g.plain()) <= _words(shown)


def test_trace_renders_each_step_in_its_panel() -> None:
    y, names = d2l()
    tr = trace.backward(y, names)
    shown = _render(tr)
    assert "╭─ [2] t1 = x · x   DotBackward0" in shown
    assert "x.grad = [0, 4, 8, 12]" in shown
    assert _words(tr.plain()) <= _words(shown)


def test_forward_why_and_dot_render() -> None:
    f, names = exercise()
    fwd = trace.forward(f, names["x"], None, names)
    assert "f′ = 0.0824" in _render(fwd)
    w = why.diagnose(names["x"], "x", names)
    assert "cause: no backward pass has reached x yet" in _render(w)
    assert "digraph" in _render(dot.to_dot(graph.build(f, names)))


def test_hints_can_be_turned_off() -> None:
    y, names = d2l()
    trace.backward(y, names)
    x = names["x"]
    from test_explain_support import recording
    with recording():
        s = x.sum()
    tr = trace.backward(s, {"x": x, "s": s})
    assert "hint: backward adds into .grad" in _render(tr)
    assert "hint:" not in _render(tr, hints=False)


def test_no_rich_import_in_explain() -> None:
    import pathlib

    import autodiff_repl.explain as pkg

    for path in pathlib.Path(pkg.__file__).parent.glob("*.py"):
        assert "import rich" not in path.read_text() and "from rich" not in path.read_text()


def _qa_graph():
    """The QA report's graph: its full table is 116 to 152 columns wide."""
    with recording():
        x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
        w = torch.tensor([[1.0, 0.0, -1.0], [2.0, 1.0, 0.0]], requires_grad=True)
        y = torch.relu(w @ x + 0.5).sum() + (x ** 2).mean()
    return y, {"x": x, "w": w, "y": y}


@pytest.mark.parametrize("backward", [False, True])
@pytest.mark.parametrize("width", [80, 100])
def test_graph_fits_common_terminal_widths_in_its_panel(width: int, backward: bool) -> None:
    y, names = _qa_graph()
    if backward:
        y.backward()
    g = graph.build(y, names)
    plain = g.plain()
    assert max(len(row) for row in plain.splitlines()) > 110  # plain() keeps the full table
    assert "() float32" in plain
    shown = _render(g, width)
    rows = shown.rstrip("\n").split("\n")
    assert max(len(row) for row in rows) <= width
    assert rows[0].startswith("╭─ graph of y: 2 leaves, 7 ops; all float32")
    for value in ("9.167", "[0, 4.5]", "[-1.5, 4.5]", "[[1, 0, -1], [2, 1, 0]]", "[1, 2, 3]",
                  "requires_grad", "used 2×", "x ↑ (drawn above)"):
        assert value in shown
    if backward:
        assert "grad [[0, 0, 0], [1, 2, 3]]" in shown and "saved values freed" in shown


def test_graph_moves_what_does_not_fit_under_its_node() -> None:
    y, names = _qa_graph()
    rows = _render(graph.build(y, names), 80).split("\n")
    w_row = next(k for k, row in enumerate(rows) if "├── w " in row)
    assert "= [[1, 0, -1], [2, 1, 0]]" in rows[w_row]
    assert rows[w_row + 1].split() == ["│", "│", "│", "requires_grad", "│"]  # the tree goes on


def test_graph_uses_the_full_table_when_it_fits() -> None:
    y, names = _qa_graph()
    g = graph.build(y, names)
    shown = _render(g, 140)
    for row in g.plain().splitlines()[1:]:
        assert row.strip() in shown


def test_long_values_are_cut_short_only_on_a_narrow_terminal() -> None:
    y, names = broadcast()
    g = graph.build(y, names)
    assert "[[121, 441, 961, 1681], [144, 484, 1024, 1764], [169, 529, 1089, 1849]]" in _render(
        g, 100)
    narrow = _render(g, 80)
    assert "= [121, 441, 961, …, 529, 1089, 1849] (12 values)" in narrow
    assert max(len(row) for row in narrow.split("\n")) <= 80
