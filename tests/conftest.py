"""Fixtures shared by the test files."""
import shutil

import pytest


@pytest.fixture
def no_dot(monkeypatch, tmp_path):
    """A PATH without Graphviz's ``dot`` (an empty directory); returns a temporary directory."""
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    assert shutil.which("dot") is None
    return tmp_path
