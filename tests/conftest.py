"""Shared fixtures for the engine's tests."""

from __future__ import annotations

import pytest

from autodiff_repl import engine
from autodiff_repl.engine.functions import FORWARD
from autodiff_repl.engine.grad_mode import STATE


@pytest.fixture
def clean_engine():
    """Run a test from the engine's defaults and restore them afterwards, whatever it changed:
    grad mode, the default dtype, open forward-mode levels and the random seed."""
    engine.set_default_dtype(engine.float32)
    engine.manual_seed(0)
    yield engine
    STATE.enabled = True
    FORWARD.active = 0
    engine.set_default_dtype(engine.float32)
