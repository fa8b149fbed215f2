"""``graph y --dot``: the DOT text read back by a DOT parser, as a learner's Graphviz would read it.

Each test writes a graph with the real command (``graph y --dot FILE`` in a Session), parses the
file with pydot and checks what a learner relies on: one node per graph node, one arrow per input,
every label line intact (names, maths, ``grad_fn``, shape, value, gradient, notes), and the styles
that mark the output, freed, detached and ``no_grad`` nodes. pydot is lenient (it reads
``label="say "hi" now"`` as ``say``), so the labels are compared line by line, not just parsed.
With Graphviz's ``dot`` installed, the lines it draws are checked too (skipped without it).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pydot
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autodiff_repl.explain import dot
from autodiff_repl.explain.graph import GNode, Graph
from autodiff_repl.outputs import Error, Info
from autodiff_repl.render import plain
from autodiff_repl.session import Session

# pydot 4 calls pyparsing names that pyparsing 3.3 deprecates; that is pydot's business
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:pydot")
needs_graphviz = pytest.mark.skipif(shutil.which("dot") is None,
                                    reason="Graphviz's dot program is not installed")


# --- reading DOT back ---------------------------------------------------------------------------

def unquote(value: str | None) -> str | None:
    """A DOT attribute or id as Graphviz reads it: quotes off, ``\\n`` a line break, ``\\"`` a
    quote, ``\\\\`` a backslash."""
    if value is None or not (len(value) >= 2 and value[0] == value[-1] == '"'):
        return value
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), value[1:-1],
                  flags=re.S)


@dataclass
class Drawn:
    """A parsed DOT graph: node attributes by id, and the arrows in the order written."""

    name: str
    attrs: dict[str, str]
    nodes: dict[str, dict[str, str]]
    edges: list[tuple[str, str, str | None]]

    def label(self, node: str) -> list[str]:
        return self.nodes[node]["label"].split("\n")

    def styles(self, node: str) -> set[str]:
        return set(self.nodes[node].get("style", "").split(","))

    def inputs(self, node: str) -> list[str]:
        return [a for a, b, _ in self.edges if b == node]


def read_dot(text: str) -> Drawn:
    """Parse ``text`` as one DOT graph; ValueError if it is not DOT."""
    graphs = pydot.graph_from_dot_data(text)
    if not graphs or len(graphs) != 1:
        raise ValueError("not one DOT graph")
    g = graphs[0]
    nodes = {unquote(n.get_name()): {k: unquote(v) for k, v in n.get_attributes().items()}
             for n in g.get_nodes() if n.get_name() not in ("graph", "node", "edge")}
    edges = [(unquote(e.get_source()), unquote(e.get_destination()),
              None if e.get_label() is None else unquote(e.get_label()).strip())
             for e in g.get_edges()]
    attrs = {k: unquote(v) for d in g.get_graph_defaults() for k, v in d.items()}
    return Drawn(unquote(g.get_name()), attrs, nodes, edges)


def dot_of(session: Session, root: str, tmp_path: Path) -> Drawn:
    """``graph ROOT --dot FILE`` in ``session``, read back."""
    path = tmp_path / f"{root}-{len(list(tmp_path.iterdir()))}.dot"
    assert session.execute(f"graph {root} --dot {path}") == [Info(f"wrote {path}")]
    drawn = read_dot(path.read_text(encoding="utf-8"))
    assert all(a in drawn.nodes and b in drawn.nodes for a, b, _ in drawn.edges)  # no stray ids
    return drawn


def run(code: str) -> Session:
    session = Session()
    outputs = session.execute(code)
    assert not [o for o in outputs if isinstance(o, Error)], plain(outputs)
    return session


# --- the checker itself -------------------------------------------------------------------------

def test_the_checker_rejects_broken_dot() -> None:
    good = 'digraph "g" {\n  "a" [label="say \\"hi\\"\\nnow"];\n  "a" -> "b";\n}\n'
    assert read_dot(good).label("a") == ['say "hi"', "now"]
    for broken in (good[:-2],                                  # no closing brace
                   good.replace('-> "b"', "->"),               # an arrow to nowhere
                   good.replace('now"]', "now]"),              # an unterminated string
                   good.replace("now", "now\\")):              # a backslash eats the quote
        with pytest.raises(ValueError):
            read_dot(broken)
    unescaped = good.replace('\\"hi\\"', '"hi"')  # pydot reads this, but the label is cut
    assert read_dot(unescaped).label("a") != ['say "hi"', "now"]


# --- graphs from the chapter --------------------------------------------------------------------

D2L = "x = torch.arange(4.0, requires_grad=True)\ny = 2 * torch.dot(x, x)"


def test_d2l_dot_before_and_after_backward(tmp_path: Path) -> None:
    s = run(D2L)
    before = dot_of(s, "y", tmp_path)
    assert before.name == "graph of y"
    assert set(before.nodes) == {"x", "t1", "y"}
    assert sorted(before.edges) == [("t1", "y", None), ("x", "t1", "input 1"),
                                    ("x", "t1", "input 2")]
    assert before.label("x") == ["x", "leaf, requires_grad", "(4,) float32", "= [0, 1, 2, 3]"]
    assert before.label("t1") == ["t1 = x · x", "DotBackward0", "() float32", "= 14"]
    assert before.label("y") == ["y = 2 · t1", "MulBackward0", "() float32", "= 28"]
    assert before.nodes["y"]["fillcolor"] == "gold" and before.nodes["y"]["peripheries"] == "2"
    assert before.nodes["x"]["fillcolor"] == "lightblue"
    assert not any("dashed" in before.styles(n) for n in before.nodes)

    run_ok(s, "y.backward()")
    after = dot_of(s, "y", tmp_path)
    assert after.label("x")[-1] == "grad [0, 4, 8, 12]"
    for op in ("t1", "y"):
        assert after.label(op)[-1] == "saved values freed"
        assert "dashed" in after.styles(op) and after.nodes[op]["color"] == "red"
    assert "dashed" not in after.styles("x") and "color" not in after.nodes["x"]


def run_ok(session: Session, code: str) -> None:
    outputs = session.execute(code)
    assert not [o for o in outputs if isinstance(o, Error)], plain(outputs)


MLP = """X = torch.tensor([[1.0, 2.0, 3.0], [-1.0, 0.5, 2.0]])
W1 = torch.tensor([[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6]], requires_grad=True)
b1 = torch.zeros(2, requires_grad=True)
W2 = torch.tensor([[1.0], [-1.0]], requires_grad=True)
h = torch.relu(X @ W1 + b1)
loss = (h @ W2).mean()"""


def test_matmul_mlp_draws_matrices_and_inputs_in_order(tmp_path: Path) -> None:
    s = run(MLP)
    drawn = dot_of(s, "loss", tmp_path)
    assert set(drawn.nodes) == {"X", "W1", "t1", "b1", "t2", "h", "W2", "t3", "loss"}
    assert len(drawn.edges) == 8
    # ordering=in: Graphviz puts an op's inputs left to right in the order of the arrows
    assert drawn.attrs["ordering"] == "in" and drawn.attrs["rankdir"] == "BT"
    assert drawn.inputs("t1") == ["X", "W1"] and drawn.inputs("t3") == ["h", "W2"]
    assert drawn.label("t1") == ["t1 = X W1", "MmBackward0", "(2, 2) float32",
                                 "= [[-0.8, 2.4], [-0.95, 1.6]]"]
    assert drawn.label("W1")[2:] == ["(3, 2) float32", "= [[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6]]"]
    assert drawn.label("X")[1] == "constant" and drawn.nodes["X"]["shape"] == "ellipse"
    assert drawn.label("h")[:2] == ["h = relu(t2)", "ReluBackward0"]
    assert drawn.label("loss")[-1] == "= -2"

    run_ok(s, "loss.backward()")
    after = dot_of(s, "loss", tmp_path)
    # worked by hand: d loss/d out = 1/2, relu lets column 2 through, dW1 = Xᵀ · (that · W2ᵀ)
    assert after.label("W1")[-1] == "grad [[0, 0], [0, -1.25], [0, -2.5]]"
    assert after.label("b1")[-1] == "grad [0, -1]"
    assert after.label("W2")[-1] == "grad [[0], [2]]"


def test_big_matrices_are_abbreviated_with_their_count(tmp_path: Path) -> None:
    s = run("A = torch.arange(24.0, requires_grad=True)\nB = A.reshape(4, 6)\ny = (B * B).sum()")
    drawn = dot_of(s, "y", tmp_path)
    assert drawn.label("B")[2:] == ["(4, 6) float32", "= [0, 1, 2, …, 21, 22, 23] (24 values)"]
    assert drawn.label("t1")[0] == "t1 = B · B"


def test_hook_and_retain_grad_are_in_the_label(tmp_path: Path) -> None:
    s = run("x = torch.arange(4.0, requires_grad=True)\ny = x * 2\n"
            "h = y.register_hook(lambda g: g * 10)\ny.retain_grad()\nz = y.sum()\nz.backward()")
    drawn = dot_of(s, "z", tmp_path)
    assert set(drawn.nodes) == {"x", "y", "z"} and len(drawn.edges) == 2
    assert drawn.label("y") == ["y = 2 · x", "MulBackward0", "(4,) float32", "= [0, 2, 4, 6]",
                                "grad [10, 10, 10, 10]", "retain_grad", "hook",
                                "saved values freed"]
    assert drawn.label("x")[-1] == "grad [20, 20, 20, 20]"


def test_second_order_graphs_from_create_graph(tmp_path: Path) -> None:
    s = run("x = torch.tensor(3.0, requires_grad=True)\ny = x ** 3\n"
            "g, = torch.autograd.grad(y, x, create_graph=True)")
    drawn = dot_of(s, "g", tmp_path)  # dy/dx = 1·(3·x²) is itself a graph of x, PyTorch's
    assert set(drawn.nodes) == {"x", "t1", "t2", "g"} and drawn.inputs("g") == ["t2"]
    assert drawn.label("t1") == ["t1 = x^2", "PowBackward0", "() float32", "= 9"]
    assert drawn.label("t2") == ["t2 = 3 · t1", "MulBackward1", "() float32", "= 27"]
    assert drawn.label("g") == ["g = 1 · t2", "MulBackward0", "() float32", "= 27"]
    run_ok(s, "g.backward()")
    after = dot_of(s, "g", tmp_path)
    assert after.label("x")[-1] == "grad 18"  # d²y/dx² = 6x
    assert "dashed" in after.styles("g") and after.label("g")[-1] == "saved values freed"

    s = run("x = torch.tensor(3.0, requires_grad=True)\ny = x ** 3\n"
            "y.backward(create_graph=True)\ngx = x.grad")
    drawn = dot_of(s, "gx", tmp_path)
    assert len(drawn.nodes) == 5 and drawn.inputs("gx") == ["t3"]
    assert "CopyBackwards" in drawn.label("gx")[1] and drawn.label("gx")[-1] == "= 27"
    assert drawn.label("t3")[:2] == ["t3 = 1 · t2", "MulBackward0"]
    assert drawn.label("t2")[:2] == ["t2 = 3 · t1", "MulBackward1"]


def test_detached_and_no_grad_inputs_are_dashed_and_say_why(tmp_path: Path) -> None:
    s = run("x = torch.arange(4.0, requires_grad=True)\ny = x * x\nu = y.detach()\n"
            "z = u * x\ns = z.sum()")
    drawn = dot_of(s, "s", tmp_path)
    assert drawn.label("u") == ["u", "detached:", "no gradient flows back", "(4,) float32",
                                "= [0, 1, 4, 9]"]
    assert "dashed" in drawn.styles("u") and drawn.nodes["u"]["shape"] == "ellipse"
    assert drawn.inputs("z") == ["u", "x"]

    s = run("x = torch.arange(4.0, requires_grad=True)\nwith torch.no_grad():\n    u = x * 2\n\n"
            "y = (u * x).sum()")
    drawn = dot_of(s, "y", tmp_path)
    assert drawn.label("u") == ["u", "constant", "(4,) float32", "= [0, 2, 4, 6]",
                                "computed from x inside torch.no_grad():", "no graph recorded"]
    assert "dashed" in drawn.styles("u")
    assert "dashed" not in drawn.styles("x")


def test_unicode_names_and_symbols_survive(tmp_path: Path) -> None:
    s = run("α = torch.tensor([1.0, 2.0], requires_grad=True)\nβ = α.exp() * α.exp()\n"
            "y = β.prod()")
    drawn = dot_of(s, "y", tmp_path)
    assert drawn.label("β")[0] == "β = t1 · t2" and drawn.label("y")[0] == "y = ∏ β"
    assert drawn.inputs("t1") == ["α"] and drawn.inputs("t2") == ["α"]  # α used twice


def test_a_long_loop_keeps_every_node_in_dot(tmp_path: Path) -> None:
    s = run("x = torch.tensor(0.5, requires_grad=True)\ny = x\nfor i in range(60):\n"
            "    y = torch.sin(y) * 1.01\n")
    shown = plain(s.execute("graph y"))
    assert "collapsed" in shown and "t60 " not in shown  # the terminal drawing summarises
    drawn = dot_of(s, "y", tmp_path)  # the DOT file does not: a picture has room
    assert set(drawn.nodes) == {"x", "y", *(f"t{k}" for k in range(1, 120))}
    assert len(drawn.edges) == 120
    assert drawn.label("t60") == ["t60 = 1.01 · t59", "MulBackward0", "() float32",
                                  drawn.label("t60")[3]]
    assert all(drawn.label(n)[3].startswith("= ") for n in drawn.nodes)


# --- escaping -----------------------------------------------------------------------------------

TRICKY = ['say "hi"', "back\\slash", "<b>not html</b>", "two\nlines", "\\N", "α·Σ×…ᵀ",
          "braces {} [brackets]; a=b, c", "trailing\\"]


def _tricky_graph() -> Graph:
    leaves = [GNode(name, "leaf", None, None, (2,), "float32", np.array([1.0, 2.0]), None, True)
              for name in TRICKY]
    out = GNode("out", "op", " + ".join(TRICKY), "AddBackward0", (2,), "float32",
                np.array([3.0, 4.0]), None, True, tuple(TRICKY), output=True)
    return Graph("out", [*leaves, out])


def test_quotes_backslashes_angles_and_newlines_are_escaped() -> None:
    drawn = read_dot(dot.to_dot(_tricky_graph()))
    assert set(drawn.nodes) == {*TRICKY, "out"}
    assert drawn.inputs("out") == TRICKY
    for name in TRICKY:
        assert drawn.label(name) == [*name.split("\n"), "leaf, requires_grad", "(2,) float32",
                                     "= [1, 2]"]
    assert "\n".join(drawn.label("out")[:2]) == "out = " + " + ".join(TRICKY)


@settings(max_examples=60, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs", "Cc")) | st.just("\n"), min_size=1,
               max_size=30))
def test_any_name_reads_back_exactly(name: str) -> None:
    leaf = GNode(name, "leaf", None, None, (), "float32", np.array(1.0), None, True, output=True)
    drawn = read_dot(dot.to_dot(Graph(name, [leaf])))
    assert list(drawn.nodes) == [name]
    assert drawn.label(name)[:-3] == name.split("\n")


# --- Graphviz itself (skipped without it) -------------------------------------------------------

def _svg_lines(svg: str) -> list[list[str]]:
    """The text lines Graphviz drew in each node, node by node in the order it drew them."""
    ns = {"s": "http://www.w3.org/2000/svg"}
    return [[t.text or "" for t in g.findall("s:text", ns)]
            for g in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}g")
            if g.get("class") == "node"]


@needs_graphviz
def test_graphviz_draws_the_label_lines_as_written() -> None:
    done = subprocess.run(["dot", "-Tsvg"], input=dot.to_dot(_tricky_graph()), text=True,
                          capture_output=True, check=True)
    assert done.stderr == ""
    expected = [[*name.split("\n"), "leaf, requires_grad", "(2,) float32", "= [1, 2]"]
                for name in TRICKY]  # a name \N stays as typed: Graphviz does not put the id there
    expected.append([*f"out = {' + '.join(TRICKY)}".split("\n"), "AddBackward0", "(2,) float32",
                     "= [3, 4]"])
    assert sorted(_svg_lines(done.stdout)) == sorted(expected)


@needs_graphviz
def test_graph_svg_command_writes_a_picture(tmp_path: Path) -> None:
    s = run(D2L + "\ny.backward()")
    path = tmp_path / "g.svg"
    assert s.execute(f"graph y --svg {path}") == [Info(f"wrote {path}")]
    drawn = {lines[0]: lines for lines in _svg_lines(path.read_text(encoding="utf-8"))}
    assert drawn["t1 = x · x"] == ["t1 = x · x", "DotBackward0", "() float32", "= 14",
                           "saved values freed"]
    assert drawn["x"][-1] == "grad [0, 4, 8, 12]" and drawn["y = 2 · t1"][1] == "MulBackward0"


def test_graph_svg_without_graphviz_says_how_to_get_it(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no dot on this PATH
    s = run(D2L)
    [error] = s.execute(f"graph y --svg {tmp_path / 'g.svg'}")
    assert isinstance(error, Error) and error.type == "FileNotFoundError"
    assert "'dot' is not installed" in error.message
    assert "graph y --dot graph.dot" in error.hints[-1]
    assert not (tmp_path / "g.svg").exists()


def test_dot_to_a_dash_prints_the_text_instead_of_writing_a_file(tmp_path: Path,
                                                                 monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    session = run("x = torch.arange(4.0, requires_grad=True)\ny = 2 * torch.dot(x, x)")
    (shown,) = session.execute("graph y --dot -")
    assert isinstance(shown, Info) and shown.text.startswith('digraph "graph of y" {')
    drawn = read_dot(shown.text)
    assert sorted(drawn.nodes) == ["t1", "x", "y"] and len(drawn.edges) == 3
    assert not (tmp_path / "-").exists()
