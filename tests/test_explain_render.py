"""``render_explain.to_rich``: the same words as ``plain()``, with colour and panels."""

from __future__ import annotations

import io

from test_explain_support import d2l, exercise

from autodiff_repl.explain import dot, graph, trace, why
from autodiff_repl.render_explain import to_rich


def _render(model, **kw) -> str:
    from rich.console import Console

    console = Console(width=100, color_system=None, record=True, file=io.StringIO())
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
