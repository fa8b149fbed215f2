"""Explanations as data: the computation graph, the chain-rule trace, "why is my grad None?".

Each model (``graph.Graph``, ``trace.Trace``, ``why.Why``) reads the engine's recorded graph and
has ``plain()``, stable text for transcripts; ``render_explain.to_rich`` draws the same content in
colour. Nothing here imports rich or knows about terminals.
"""
