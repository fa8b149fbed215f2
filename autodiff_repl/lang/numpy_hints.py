"""Hints for the errors a tensor meets inside NumPy (a learner pain point: mixing ``numpy`` and
``torch``): ``np.exp(t)`` on a tensor that requires grad, ``np.sum(t)`` (NumPy passes ``axis=``,
a tensor's reductions take ``dim=``), and an array on the left of ``*`` or ``+`` with a tensor.
The errors themselves are PyTorch's (``numpy_tensors``); these lines say what to write instead."""

from __future__ import annotations

import re

from autodiff_repl import engine

NUMPY_ON_GRAPH = "Can't call numpy() on Tensor that requires grad"
AXIS_KEYWORD = re.compile(r"^(\w+)\(\) got an unexpected keyword argument 'axis'")
MIXED = re.compile(r"unsupported operand type\(s\) for .+: 'numpy\.ndarray' and 'Tensor'")
CONCATENATION = "Concatenation operation is not implemented for NumPy arrays"
NP_CALL = re.compile(r"\bnp\.(\w+)\s*\(\s*(?:([A-Za-z_]\w*)\s*[,)])?")


def numpy_hints(message: str, statement: str | None) -> list[str]:
    """The hints for ``message`` when NumPy and tensors met in ``statement`` (else none)."""
    called = NP_CALL.search(statement or "")
    name = called.group(1) if called else None
    t = called.group(2) if called and called.group(2) else "t"  # the tensor, when a name
    if NUMPY_ON_GRAPH in message and name is not None:
        torch_name = f"torch.{name}" if hasattr(engine, name) else "the torch function"
        return [f"np.{name} first turns the tensor into a NumPy array, which would leave its graph "
                f"behind: use {torch_name}(...), which records the operation so backward can "
                "reach it",
                f"for plain numbers without a gradient: np.{name}({t}.detach().numpy())"]
    axis = AXIS_KEYWORD.match(message)
    if axis and name is not None:
        method = axis.group(1)
        return [f"np.{name}({t}) calls {t}.{method}(axis=...), and a tensor's {method} takes dim=, "
                f"not axis=: write {t}.{method}() or torch.{method}({t}) (dim=0 where NumPy says "
                "axis=0)"]
    if MIXED.search(message) or CONCATENATION in message:
        return ["a NumPy array first and a tensor second don't mix: make the array a tensor "
                "first: torch.from_numpy(a) for an array a (it keeps NumPy's float64), or "
                "torch.tensor(a, dtype=torch.float32)"]
    return []
