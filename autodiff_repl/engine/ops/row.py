"""What a row of the op table is (``Op``, its test ``Sample``) and what the rows share: the shape
helpers their formulas use and the sample shapes of the generated gradient tests."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

OUT = -1  # in ``needs``: the op's output
ELEMENTWISE = "elementwise"
LINEAR = "linear"


@dataclass(frozen=True)
class Sample:
    """One gradient-test case: input shapes, parameters, and how to call the op publicly."""

    shapes: tuple[tuple[int, ...], ...]
    params: dict = field(default_factory=dict)
    call: Callable | None = None  # default: engine.<op.name>(*inputs, **params)


@dataclass(frozen=True, eq=False)
class Op:
    name: str
    grad_fn: str
    forward: Callable
    vjp: tuple[Callable, ...] | Callable
    jvp: tuple[Callable, ...] | Callable | str
    expr: str
    formula: tuple[str, ...]
    needs: tuple[tuple[int, ...], ...] = ()
    says: tuple[str, ...] = ()
    variadic: bool = False
    samples: tuple[Sample, ...] = ()
    domain: tuple[float, float] = (-2.0, 2.0)
    away_from: tuple[float, ...] = ()  # kinks the test inputs keep clear of

    def __post_init__(self) -> None:
        # Read by every node (``graph.Node``): what it keeps when its one input requires grad,
        # and for two inputs, indexed by 1 if the first requires grad + 2 if the second does.
        object.__setattr__(self, "plan1", self.plan((True,)))
        object.__setattr__(self, "plans2", tuple(self.plan((bool(m & 1), bool(m & 2)))
                                                 for m in range(4)))

    def plan(self, required: tuple[bool, ...]) -> tuple:
        """What a node of this op keeps, given which inputs require grad: (a keep-flag per input,
        or None if it keeps no input; does it keep the output?; does it keep anything?)."""
        wanted: set = set()
        for needs, req in zip(self.needs, required, strict=False):
            if req:
                wanted.update(needs)
        keep = tuple(i in wanted for i in range(len(required)))
        return keep if any(keep) else None, OUT in wanted, bool(wanted)

    def __repr__(self) -> str:
        return f"<op {self.name}: {self.grad_fn}>"


# --- shape helpers shared by the formulas (plain Python on shapes) --------------------------

def kept_shape(shape: tuple[int, ...], dims: tuple[int, ...]) -> tuple[int, ...]:
    """``shape`` with the reduced ``dims`` kept as size 1 (what keepdim=True gives)."""
    return tuple(1 if i in dims else n for i, n in enumerate(shape))


def reduced_size(shape: tuple[int, ...], dims: tuple[int, ...] | None) -> int:
    """How many elements each output element of a reduction over ``dims`` summed."""
    if dims is None:
        return math.prod(shape)
    return math.prod(shape[d] for d in dims)


def _spread(m, g, x, dims, keepdim):
    """Broadcast a reduction's gradient ``g`` back to the input's shape: the reduced dims put
    back, then expanded. On tensors (create_graph) each dim is put back by an unsqueeze, as
    PyTorch records it (``UnsqueezeBackward0``); on arrays one reshape does the same."""
    if dims is not None and not keepdim:
        if isinstance(g, np.ndarray | np.generic):
            g = np.reshape(g, kept_shape(x.shape, dims))
        else:
            for d in dims:  # ascending, so each lands where the reduction took it from
                g = m.unsqueeze(g, d)
    return m.expand(g, x.shape)


# --- sample shapes for the generated tests ------------------------------------------------------

UNARY = (Sample(((),)), Sample(((4,),)), Sample(((2, 3),)))
BINARY = (Sample(((), ())), Sample(((4,), (4,))), Sample(((2, 3), (2, 3))),
          Sample(((2, 3), (3,))), Sample(((3, 1), (1, 4))), Sample(((4,), ())))
REDUCE = (Sample(((4,),)), Sample(((2, 3),)), Sample(((2, 3, 2),)))


def _public(name: str) -> Callable:
    """A sample's call through the public function ``engine.<name>`` (for rows named otherwise)."""
    def call(*inputs, **params):
        return getattr(_engine(), name)(*inputs, **params)
    call.__name__ = name
    return call


def _reduce_dim(name: str) -> tuple[Sample, ...]:
    call = _public(name)
    return (Sample(((2, 3),), {"dim": 0}, call),
            Sample(((2, 3),), {"dim": 1, "keepdim": True}, call),
            Sample(((2, 3, 2),), {"dim": (0, 2)}, call), Sample(((4,),), {"dim": -1}, call))


def _row(name, grad_fn, forward, vjp, jvp, expr, formula, **kw) -> Op:
    return Op(name, grad_fn, forward, vjp, jvp, expr, formula, **kw)


_LEADING = [tuple(range(n)) for n in range(8)]  # the first n axes, made once


def sum_to(x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum ``x`` over the axes broadcasting added or stretched, back to ``shape``.
    (``np.add.reduce`` is ``np.sum`` without its Python wrapper.)"""
    full = x.shape
    lead = len(full) - len(shape)
    if full[lead:] == shape:  # nothing stretched
        if not lead:
            return x
        if shape:  # only leading axes were added (a bias): the sum has the right shape already
            return np.add.reduce(x, _LEADING[lead] if lead < 8 else tuple(range(lead)), x.dtype)
    stretched = tuple(i + lead for i, n in enumerate(shape) if n == 1 and full[i + lead] != 1)
    x = np.add.reduce(x, axis=tuple(range(lead)) + stretched, keepdims=True, dtype=x.dtype)
    return x.reshape(shape)


def _engine():
    from autodiff_repl import engine
    return engine
