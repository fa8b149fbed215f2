"""``graph y --dot``: Graphviz text that is stable and valid."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from test_explain_support import d2l, detached, exercise, long_loop, snapshot

from autodiff_repl.explain import dot, graph, trace


def test_d2l_dot_snapshot_before_and_after_backward() -> None:
    y, names = d2l()
    before = dot.to_dot(graph.build(y, names))
    snapshot("dot_d2l", before)
    assert '"x" -> "t1" [label=" input 1 "];' in before
    assert '"x" -> "t1" [label=" input 2 "];' in before
    trace.backward(y, names)
    after = dot.to_dot(graph.build(y, names))
    assert "saved values freed" in after and 'color="red"' in after
    assert "grad [0, 4, 8, 12]" in after


def test_detached_and_exercise_dot() -> None:
    s, names = detached()
    text = dot.to_dot(graph.build(s, names))
    assert '"u" [label="u\\ndetached' in text and "dashed" in text
    snapshot("dot_exercise", dot.to_dot(graph.build(*exercise())))


def test_big_graph_dot_has_every_node() -> None:
    y, names = long_loop(500)
    text = dot.to_dot(graph.build(y, names))
    assert text.count(" -> ") == 1000
    assert "0x" not in text


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_graphviz_accepts_it() -> None:
    y, names = d2l()
    result = subprocess.run(["dot", "-Tsvg"], input=dot.to_dot(graph.build(y, names)),
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
