"""The version counter: PyTorch's check that a value a backward saved was not updated in place
since (``InplaceLog``), and the node swap an in-place update with a graph makes (``take_node``).

The in-place methods themselves (``add_``, ``+=``, ``t[i] = v`` ...) are in ``inplace_methods``.
"""

from __future__ import annotations

import re
import weakref
from typing import TYPE_CHECKING

from autodiff_repl.engine import dtypes, views
from autodiff_repl.engine.graph import RECORDING, _next_seq

if TYPE_CHECKING:
    from autodiff_repl.engine.tensor import Tensor


class InplaceLog:
    """In-place updates of tensors, for PyTorch's check that a backward's saved values are still
    the ones the forward pass saw ("... has been modified by an inplace operation").

    PyTorch keeps a version counter on every tensor and in every saved value. Here nothing is
    recorded until a tensor is updated in place: then the update's place in the node sequence
    (``graph._next_seq()``) is appended to the tensor's ``_versions`` list, and logged for the node
    whose saved output it changes. ``detach()`` shares the list, as PyTorch's detached tensors
    share the version counter (``x.data`` does not: its updates go unseen). A backward compares
    the entries with the node's own ``seq``: a value updated after the node saved it is stale. A
    program with no in-place updates pays nothing.
    """

    def __init__(self) -> None:
        self.active = False  # has any tensor been updated in place?
        self.outputs: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # node -> info

    def record(self, t: Tensor, producer) -> None:
        """``t`` was just updated in place; ``producer`` made its previous value."""
        seqs = self.versions(t, create=True)
        seqs.append(_next_seq())
        self.active = True
        self._watch(producer, seqs, t)
        if t._base is not None:  # a view: its base's saved output is stale too
            self._watch(t._base._node, seqs, t._base)

    def share(self, t: Tensor, other: Tensor) -> None:
        """``other`` shares ``t``'s memory and version counter (``detach()``): an update of
        ``other`` makes stale what ``t``'s node saved of its output, as one of ``t`` does."""
        other._versions = seqs = self.versions(t, create=True)
        self._watch(t._node, seqs, t)

    def _watch(self, producer, seqs: list, t: Tensor) -> None:
        if producer is not None and producer.out is not None:
            self.outputs[producer] = (seqs, t._data.shape, t._data.dtype)

    @staticmethod
    def versions(t: Tensor, create: bool = False) -> list | None:
        """The in-place updates of ``t``'s memory: its own list, or its base's for a view."""
        owner = t if t._base is None else t._base
        if owner._versions is None and create:
            owner._versions = []
        return owner._versions

    def check(self, node) -> None:
        """Raise PyTorch's error if a value ``node`` saved was updated after it saved it."""
        for t in node.saved or ():
            seqs = None if t is None else self.versions(t)
            if seqs and seqs[-1] > node.seq:
                if t._base is not None:  # PyTorch names an invalidated view first
                    views.check_grad_fn(t)
                raise RuntimeError(_modified_message(t._data.shape, t._data.dtype, t._node, seqs,
                                                     node.seq))
        entry = self.outputs.get(node) if node.out is not None else None
        saved_at = node.__dict__.get("out_saved_at", node.seq)  # later for an in-place op's node
        if entry is not None and entry[0] and entry[0][-1] > saved_at:
            raise RuntimeError(_modified_message(entry[1], entry[2], node, entry[0], saved_at))


def _modified_message(shape, dtype, node, seqs, saved_at) -> str:
    kind = f"torch.{dtypes.from_numpy(dtype).short}Tensor [{', '.join(map(str, shape))}]"
    output = "" if node is None else \
        f", which is output 0 of {_BACKWARD_SUFFIX.sub('', node.label)},"
    return ("one of the variables needed for gradient computation has been modified by an "
            f"inplace operation: [{kind}]{output} is at version {len(seqs)}; expected version "
            f"{sum(1 for s in seqs if s < saved_at)} instead. Hint: enable anomaly detection to "
            "find the operation that failed to compute its gradient, with "
            "torch.autograd.set_detect_anomaly(True, check_nan=False).")


_BACKWARD_SUFFIX = re.compile(r"Backward\d*$")
INPLACE = InplaceLog()


def take_node(t: Tensor, result: Tensor) -> None:
    """``t`` was updated in place with a graph: it takes ``result``'s node (``y += 1`` gives
    ``y`` the node ``AddBackward0``), which then names ``t`` as its output in explanations."""
    t._node, t._rg = result._node, True
    if RECORDING.keep_values:
        t._node.output = weakref.ref(t)
