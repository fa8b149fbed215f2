"""NumPy's names for PyTorch's ``dim=`` and ``keepdim=`` (``axis=``, ``keepdims=``), accepted by
functions and methods that take a dimension: ``x.sum(axis=0)``."""

import functools


def numpy_names(fn):
    """``fn`` also taking NumPy's ``axis=`` for ``dim=`` (and ``keepdims=`` for ``keepdim=``), as
    PyTorch's functions and methods with a ``dim`` do: ``x.sum(axis=0)``."""
    @functools.wraps(fn)
    def call(*args, **kwargs):
        if kwargs and ("axis" in kwargs or "keepdims" in kwargs):
            kwargs = _dim_names(fn.__name__, kwargs)
        return fn(*args, **kwargs)
    return call


def _dim_names(name: str, kwargs: dict) -> dict:
    kwargs = dict(kwargs)
    for alias, real in (("axis", "dim"), ("keepdims", "keepdim")):
        if alias in kwargs:
            if real in kwargs:  # both spellings: PyTorch takes the alias as an unknown keyword
                raise TypeError(f"{name}() got an unexpected keyword argument '{alias}'")
            kwargs[real] = kwargs.pop(alias)
    return kwargs
