"""examples/backprop_slide.py: the slide's derivation, run small and checked."""
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "examples"))
import backprop_slide  # noqa: E402


def test_backprop_slide_example(tmp_path, capsys):
    got = backprop_slide.main(["--out", str(tmp_path)])
    text = capsys.readouterr().out
    assert got["sum_grad_w11"] == 4.0 and got["check_sum"] is True      # x11 + x12 + x21 + x22
    assert got["max_grad_w11"] == 1.0 and got["check_max"] is False     # only x11 under the selected window
    assert got["tie_selected"] == 0 and "the first maximum wins" in text
    np.testing.assert_array_equal(got["tensor_grad"], np.ones((1, 1, 2, 2)))
    assert "if (s11 > s12): ∂f/∂s11 = 1, ∂f/∂s12 = 0" in text
    assert "= x11 + x12 + x21 + x22 = 4" in text
    assert "diagnosis: max-pool gating ignored: x11 + x12 + x21 + x22 is ∂(s11 + s12 + s21 + s22)/∂w11" in text
    assert all(Path(p).stat().st_size > 0 for p in got["files"])


def test_the_example_and_minigrad_demo_print_the_same_slide(tmp_path, capsys):
    """One implementation (minigrad.demo.slide): the example starts with exactly the demo's slide."""
    from minigrad.cli import main as cli

    cli(["demo", "--no-train", "--out", str(tmp_path / "demo")])
    demo = capsys.readouterr().out
    slide = demo[:demo.index("\n== Written ==")]
    backprop_slide.main(["--out", str(tmp_path / "example")])
    assert capsys.readouterr().out.startswith(slide + "\n")
