"""Fixtures shared by the command-line tests."""

import os
import shutil
from pathlib import Path

import pytest

SOURCE = Path(os.environ.get("HEALTHCAST_SOURCE_DIR", Path(__file__).resolve().parents[2]))


@pytest.fixture()
def scenario_copy(tmp_path):
    """The reference scenario and its data in a scratch folder, to be changed by a test."""
    shutil.copytree(SOURCE / "data" / "china", tmp_path / "data" / "china")
    (tmp_path / "scenarios").mkdir()
    path = tmp_path / "scenarios" / "s.yaml"
    shutil.copy(SOURCE / "scenarios" / "china_reference.yaml", path)
    return path
