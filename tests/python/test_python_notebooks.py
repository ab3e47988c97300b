"""The notebooks run from top to bottom (nbclient), so that they never rot. They run in a copy
of notebooks/ beside links to scenarios/ and data/, so that the files they write land in a
scratch folder. Set HEALTHCAST_NOTEBOOK_DIR to keep the executed notebooks and their figures."""

import base64
import os
import shutil
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

SOURCE = Path(os.environ.get("HEALTHCAST_SOURCE_DIR", Path(__file__).resolve().parents[2]))
NOTEBOOKS = sorted((SOURCE / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks():
    assert [p.name for p in NOTEBOOKS] == ["01-quickstart.ipynb", "02-compare-plan-scenarios.ipynb",
                                           "03-your-own-region-data.ipynb", "04-uncertainty.ipynb",
                                           "05-batch.ipynb"]


@pytest.mark.parametrize("source", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_cleanly(source, tmp_path):
    book = nbformat.read(source, as_version=4)
    for cell in book.cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None, \
                f"{source.name} is stored with outputs; clear them before committing"
    for folder in ["scenarios", "data"]:
        (tmp_path / folder).symlink_to(SOURCE / folder)
    work = tmp_path / "notebooks"
    work.mkdir()
    shutil.copy(source, work)
    nbclient.NotebookClient(book, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(work)}}).execute()
    images = 0
    for cell in book.cells:
        for output in cell.get("outputs", []):
            text = output.get("text", "")
            # Warnings (a missing glyph, a deprecation) would go to stderr.
            assert not (output.get("name") == "stderr" and "Warning" in text), text
            images += "image/png" in output.get("data", {})
    assert images >= 2, "the notebook shows no figures"
    keep = os.environ.get("HEALTHCAST_NOTEBOOK_DIR")
    if keep:
        out = Path(keep)
        out.mkdir(parents=True, exist_ok=True)
        nbformat.write(book, out / source.name)
        n = 0
        for cell in book.cells:
            for output in cell.get("outputs", []):
                if "image/png" in output.get("data", {}):
                    n += 1
                    (out / f"{source.stem}-{n}.png").write_bytes(
                        base64.b64decode(output["data"]["image/png"]))
