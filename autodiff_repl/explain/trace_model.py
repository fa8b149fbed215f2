"""The chain-rule trace as data: steps, the finite-difference check, the cost.

``Trace`` is what ``trace.backward``, ``trace.grad`` and ``trace.forward`` return. Reverse mode
has one ``Step`` per node in the order the backward pass processed them; each says what gradient
arrived (and which paths added up to it) and what it ``sends`` down to each input: the local
derivative as a formula and as numbers, times the upstream gradient, summed over broadcast axes.
Forward mode has one ``TangentStep`` per op in creation order. Arrays are kept so tests can check
numbers; ``plain()`` prints them with 4 significant digits.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from autodiff_repl.explain import hooks, text
from autodiff_repl.explain.text import Block


@dataclass
class Send:
    """What one node sends to one input: ``upstream · local`` (then summed to the input's shape)."""

    target: str
    position: str  # "" or "input 2 of 2" when the same tensor is used twice
    formula: str  # the local derivative, e.g. "x" (pointwise ops) or the rule, e.g. "∂y/∂t · xᵀ"
    symbol: str  # the contribution in symbols, e.g. "2·x"
    local: np.ndarray | None  # the local derivative's numbers (pointwise ops only)
    value: np.ndarray  # the gradient sent (after summing over broadcast axes)
    before_sum: np.ndarray | None = None
    axes: tuple[int, ...] = ()


@dataclass
class Arrival:
    """A gradient reaching a node along one path."""

    source: str
    symbol: str
    value: np.ndarray


@dataclass
class Step:
    """One node of the backward pass."""

    name: str
    expr: str | None  # None for a leaf
    grad_fn: str
    upstream: np.ndarray  # the gradient the chain rule delivered (before any hook)
    upstream_symbol: str
    arrivals: list[Arrival] = field(default_factory=list)
    sends: list[Send] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    old: np.ndarray | None = None  # a leaf's .grad before this backward
    result: np.ndarray | None = None  # a leaf's .grad after it (or the returned gradient)
    stores: bool = True  # False for autograd.grad: .grad untouched
    tensor: object = field(default=None, repr=False, compare=False)  # the leaf, for the ledger
    hooks: int = 0  # the learner's hooks (register_hook) that ran on this tensor
    hooked: np.ndarray | None = None  # what they returned in place of ``upstream``

    @property
    def used(self) -> np.ndarray:
        """The gradient the backward went on with (a leaf: added into ``.grad``): ``upstream``,
        or what the hooks replaced it with."""
        return self.upstream if self.hooked is None else self.hooked

    @property
    def hook_changed(self) -> bool:
        return self.hooked is not None and hooks.changed(self.upstream, self.hooked)


@dataclass
class Term:
    """Forward mode: one input's part of an output tangent, ``local · tangent``."""

    source: str
    formula: str
    local: np.ndarray | None
    tangent: np.ndarray
    value: np.ndarray


@dataclass
class TangentStep:
    name: str
    expr: str
    grad_fn: str
    terms: list[Term]
    tangent: np.ndarray
    rule: str | None = None  # for ops that are not pointwise: the tangent's maths


@dataclass
class Check:
    """Finite differences (float64) against one computed gradient."""

    name: str
    numerical: np.ndarray | None
    max_error: float
    atol: float
    rtol: float
    passed: bool
    skipped: str = ""  # why no verdict (``numerical`` may still be shown)
    against: str = ""  # what was compared when not simply the gradient, e.g. "before x's hook"
    kink: str = ""  # a failure at a point with no derivative: "relu(x) has no derivative at x = 0"


@dataclass
class Jacobian:
    """For small non-scalar outputs: J = ∂y/∂x and the vector-Jacobian product vᵀJ."""

    name: str
    matrix: np.ndarray
    product: np.ndarray


@dataclass
class Cost:
    mode: str
    ops: int
    nbytes: int
    what: str  # what the bytes are: "saved values" or "tangents"
    note: str = ""


@dataclass
class Trace:
    kind: str  # "backward", "grad" or "forward"
    root: str
    seed: np.ndarray
    seed_given: bool
    steps: list = field(default_factory=list)
    jacobians: list[Jacobian] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    cost: Cost | None = None
    results: tuple = ()
    result_names: tuple[str, ...] = ()
    hints: list[str] = field(default_factory=list)
    wrt: str = ""

    def step(self, name: str):
        """The step for the node called ``name`` (tests and lessons use this)."""
        return next(s for s in self.steps if s.name == name)

    def blocks(self) -> list[Block]:
        from autodiff_repl.explain import trace_text
        return trace_text.blocks(self)

    def plain(self) -> str:
        return text.plain_blocks(self.blocks())
