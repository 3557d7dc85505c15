"""The README's 30-second tour runs as written."""
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parent.parent


def test_readme_starts_with_exactly_the_two_commands():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    first_block = re.search(r"```\n(.*?)```", text, re.S).group(1)
    assert first_block.split("\n")[:2] == ["make demo", "make test"] and first_block.count("\n") == 2


def test_the_tour_runs(tmp_path, monkeypatch, capsys):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    code = re.search(r"```python\n(.*?)```", text, re.S).group(1)
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "README.md", "exec"), {"__name__": "__readme__"})
    out = capsys.readouterr().out
    assert "x11 + x12 + x21 + x22" in out and "OK" in out
    assert "x[1,1,1,1] + x[1,1,1,2] + x[1,1,2,1] + x[1,1,2,2]" in out
    assert (tmp_path / "out" / "slide.svg").stat().st_size > 0
    assert (tmp_path / "out" / "stepper.html").stat().st_size > 0
