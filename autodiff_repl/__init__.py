"""autodiff-repl: learn automatic differentiation by typing PyTorch-style code.

Layers, top to bottom: ``cli`` and ``repl`` (terminal), ``render`` (Output -> text),
``session`` (code -> Output events), ``lang`` (safe interpreter), ``explain`` (graph and
chain-rule data) and ``engine`` (the NumPy autograd engine, usable as ``torch``).
"""

__version__ = "0.1.0"
