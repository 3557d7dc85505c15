"""Write ``docs/api.md``, the API reference, from the docstrings of minigrad's public names.

    .venv/bin/python docs/gen_api.py            # rewrite docs/api.md
    .venv/bin/python docs/gen_api.py --check    # exit 1 if docs/api.md is out of date

Sections follow API.md: ``minigrad`` (Value, Tensor, factories), ``minigrad.scalar``,
derivations, ``minigrad.viz``, ``minigrad.nn.functional``, ``minigrad.nn``, ``minigrad.optim``.
A module that cannot be imported is listed with the error instead of stopping the script.
"""
from __future__ import annotations

import argparse
import importlib
import inspect
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "api.md"

SECTIONS = [  # (heading, module, names or None for the module's __all__, intro)
    ("minigrad", "minigrad", ["Value", "Tensor", "tensor", "zeros", "ones", "randn", "rand", "zeros_like",
                              "manual_seed", "no_grad", "is_grad_enabled"],
     "Scalars, tensors and the one engine under both (API.md sections 1 and 5)."),
    ("Top-level functions", "minigrad", ["cat", "concat", "stack", "flatten", "where", "max", "min", "amax", "amin",
                                          "argmax", "argmin", "maximum", "minimum"],
     "PyTorch's ``torch.cat``, ``torch.max(x, 1)``, ... (API.md section 5); each calls the op of the same name."),
    ("minigrad.scalar", "minigrad.scalar", None,
     "Grids of scalar Values: every multiply-add and every pooling selection a node (API.md section 2)."),
    ("Derivations", "minigrad", ["derive", "check", "gradcheck", "Derivation", "CheckResult", "GradcheckError"],
     "The chain rule written out, hand formulas checked, finite differences (API.md section 3)."),
    ("minigrad.viz", "minigrad.viz", None, "Diagrams and pictures (API.md section 4)."),
    ("minigrad.nn.functional", "minigrad.nn.functional", None,
     "PyTorch's functional API, validated at the edge (API.md section 6)."),
    ("minigrad.nn", "minigrad.nn", None, "Modules and layers with PyTorch's arguments (API.md section 7)."),
    ("minigrad.nn.init", "minigrad.nn.init", None, "Initialisation like PyTorch's."),
    ("minigrad.optim", "minigrad.optim", None, "Optimisers equal to PyTorch's step for step (API.md section 7)."),
]


def signature(obj) -> str:
    """``(a, b=1)`` for a function or a class's constructor, or ``""`` if it has none we can read."""
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return ""
    params = [p.replace(annotation=_plain(p.annotation)) for p in sig.parameters.values()]
    ret = sig.return_annotation
    sig = sig.replace(parameters=params, return_annotation=_plain(ret) if ret not in (None, "None") else sig.empty)
    return str(sig)


def _plain(annotation):
    """A string annotation (``from __future__ import annotations``) shown without its quotes."""
    if isinstance(annotation, str):
        return _Bare(annotation.strip("'\""))
    return annotation


class _Bare(str):
    def __repr__(self):
        return str(self)


def doc(obj) -> str:
    """The cleaned docstring, or a visible note that it is missing."""
    text = inspect.getdoc(obj)
    return text.strip() if text else "*(no docstring)*"


def public_names(module, names):
    if names is not None:
        return names
    if hasattr(module, "__all__"):
        return [n for n in module.__all__ if not n.startswith("_")]
    return sorted(n for n, v in vars(module).items()
                  if not n.startswith("_") and getattr(v, "__module__", "").startswith(module.__name__))


def members(cls):
    """The public methods and properties a class defines itself (not inherited from object)."""
    out = []
    for name, value in vars(cls).items():
        if name.startswith("_") and name not in ("__call__",):
            continue
        if isinstance(value, property):
            out.append((name, "", value))
        elif isinstance(value, (staticmethod, classmethod)):
            out.append((name, signature(value.__func__), value.__func__))
        elif inspect.isfunction(value):
            out.append((name, signature(value), value))
    return out


def describe(qualname, obj) -> list[str]:
    """Markdown lines for one public name."""
    if inspect.ismodule(obj):
        return [f"### `{qualname}` (module)", "", doc(obj), ""]
    if inspect.isclass(obj):
        lines = [f"### class `{qualname}{signature(obj)}`", "", doc(obj), ""]
        for name, sig, value in members(obj):
            text = inspect.getdoc(value)
            lines.append(f"- `{name}{sig}`" + (f": {text.splitlines()[0]}" if text else ""))
        return lines + [""]
    if callable(obj):
        return [f"### `{qualname}{signature(obj)}`", "", doc(obj), ""]
    return [f"### `{qualname}`", "", f"`{obj!r}`", ""]


def generate() -> str:
    """The whole page as one string (deterministic: the same code gives the same page)."""
    sys.path.insert(0, str(ROOT))
    lines = ["# minigrad API reference", "",
             "Generated from the docstrings by `docs/gen_api.py`; do not edit by hand. Names, arguments and "
             "defaults follow the project's API contract; where it is silent, minigrad follows PyTorch.", "",
             "```python", "import minigrad as mg", "import minigrad.nn as nn", "import minigrad.nn.functional as F",
             "```", "", "Contents: " + ", ".join(f"[{h}](#{anchor(h)})" for h, *_ in SECTIONS), ""]
    for heading, modname, names, intro in SECTIONS:
        lines += [f"## {heading}", "", intro, ""]
        try:
            module = importlib.import_module(modname)
        except Exception as exc:  # noqa: BLE001 - a broken module is reported, not fatal
            lines += [f"*`{modname}` could not be imported: {type(exc).__name__}: {exc}*", ""]
            continue
        for name in public_names(module, names):
            try:
                obj = getattr(module, name)
            except Exception as exc:  # noqa: BLE001
                lines += [f"### `{name}`", "", f"*not available: {type(exc).__name__}: {exc}*", ""]
                continue
            prefix = "mg" if modname == "minigrad" else {"minigrad.nn.functional": "F", "minigrad.nn": "nn",
                                                         "minigrad.nn.init": "nn.init"}.get(
                modname, modname.replace("minigrad", "mg"))
            lines += describe(f"{prefix}.{name}", obj)
    return "\n".join(lines).rstrip() + "\n"


def anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to dashes."""
    return "".join(c for c in heading.lower() if c.isalnum() or c in " -_").replace(" ", "-")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if docs/api.md is out of date")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    text = generate()
    if args.check:
        current = args.out.read_text() if args.out.exists() else ""
        print("docs/api.md is up to date" if current == text else "docs/api.md is out of date: run docs/gen_api.py")
        return 0 if current == text else 1
    args.out.write_text(text)
    print(f"wrote {args.out} ({text.count(chr(10))} lines)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
