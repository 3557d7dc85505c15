"""examples/tour.ipynb, the tour for teachers: stored without outputs, and it runs top to bottom
in a real Jupyter kernel (nbclient + ipykernel) showing what each section promises."""
from pathlib import Path

import nbclient
import nbformat
import pytest

TOUR = Path(__file__).resolve().parent.parent / "examples" / "tour.ipynb"


def code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def cell(nb, start):
    """The code cell whose source starts with ``start``."""
    (found,) = [c for c in code_cells(nb) if c.source.startswith(start)]
    return found


@pytest.fixture(scope="module")
def executed():
    nb = nbformat.read(TOUR, as_version=4)
    nbclient.NotebookClient(nb, timeout=180, kernel_name="python3",
                            resources={"metadata": {"path": str(TOUR.parent)}}).execute()
    return nb


def test_the_tour_is_stored_without_outputs():
    nb = nbformat.read(TOUR, as_version=4)
    nbformat.validate(nb)
    assert code_cells(nb) and all(c.outputs == [] and c.execution_count is None for c in code_cells(nb))


@pytest.mark.slow
def test_the_tour_runs_and_shows_each_step(executed):
    errors = [o for c in code_cells(executed) for o in c.outputs if o.output_type == "error"]
    assert errors == []
    assert "the max selected s11" in cell(executed, "x = S.grid").outputs[0].text
    assert "if (s11 > s12): ∂f/∂s11 = 1, ∂f/∂s12 = 0" in cell(executed, "d = mg.derive").outputs[0].text
    (latex,) = [c for c in code_cells(executed) if c.source == "d"]   # a Derivation as the cell's value
    assert "text/latex" in latex.outputs[0].data
    check = cell(executed, "result = mg.check").outputs[0].text
    assert "MISMATCH" in check and "expected: x11 + x12 + x21 + x22 = 4" in check
    assert "diagnosis: max-pool gating ignored" in check
    assert "OK, x11 + x12 + x21 + x22 = 4" in cell(executed, "total = S.sum").outputs[0].text
    for start in ("mg.viz.show(f)", "mg.viz.show(f, focus", "mg.viz.show(loss)"):
        assert "image/svg+xml" in cell(executed, start).outputs[0].data, start
    stepper = cell(executed, "mg.viz.show(f, stepper=True)").outputs[0].data["text/html"]
    assert stepper.startswith('<iframe srcdoc="') and "minigradStepper" in stepper


@pytest.mark.slow
def test_the_summary_is_shown_once(executed):
    (out,) = cell(executed, "from minigrad.datasets import load_digits").outputs  # printed, no str echoed
    assert out.output_type == "stream" and out.text.count("Total params: 410") == 1
