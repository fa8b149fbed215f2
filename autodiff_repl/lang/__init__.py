"""The safe PyTorch-style language: parse (``ast``), check (an allowlist), interpret.

- ``parse``: gates on the raw text, then ``ast.parse``; syntax errors with line and caret.
- ``check``: validates the whole tree against an allowlist of node types before anything runs.
- ``interpret``: walks the tree; ``scopes`` hold the names, ``functions`` the learner's functions.
- ``namespace``: the ``torch`` and ``numpy`` facades, bare aliases, the safe builtins;
  ``numpy_tensors``: what NumPy does with a tensor (``np.exp(t)``, ``a * t``); ``math_module``:
  the ``math`` facade.
- ``attributes``: which attributes each type offers (an allowlist; nothing starting with ``_``).
- ``classes``: what ``type(x)`` gives: a stand-in that prints as the class, never the class.
- ``limits`` and ``sizes``: every limit, checked before the work it guards.
- ``errors`` and ``hints``: exceptions turned into errors that teach.
- ``commands``: ``backward y``, ``grad y x``, ``graph y`` ... and ``:help``, ``:vars`` ...
- ``complete``: tab completion from the same allowlists.
"""
