"""`minigrad demo`: the backprop slide end to end, then a short CNN training run.

Both parts live in ``minigrad.demo`` (``slide`` and ``digits``), which the examples call too.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from minigrad.demo.slide import backprop_slide


def training_run(out: Path, epochs: int = 3) -> list[Path]:
    """The digits CNN of ``minigrad.demo.digits``, run short; returns the saved model's file.

    It needs only minigrad's own dependencies (the digits ship inside the package);
    ``examples/digits_cnn.py`` trains the same model longer and draws its pictures.
    """
    from minigrad.demo import digits

    print(f"\n== A small CNN on the 8x8 digits shipped with minigrad ({epochs} epochs; "
          "examples/digits_cnn.py draws its pictures) ==")
    return [digits.run(out / "digits_cnn", epochs=epochs)["saved"]]


def demo(out: Path, train: bool = True) -> int:
    """The slide, then (unless ``train=False``) the training run; lists the files written."""
    written = backprop_slide(out)["files"]
    if train:
        written += training_run(out)
    print("\n== Written ==")
    for p in written:
        print(f"  {p}")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="minigrad", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("demo", help="the backprop slide end to end, then a short training run")
    d.add_argument("--out", default="out", help="where pictures and pages go (default: out/)")
    d.add_argument("--no-train", action="store_true", help="skip the training run")
    args = parser.parse_args(argv)
    if args.command == "demo":
        return demo(Path(args.out), train=not args.no_train)
    return 2


if __name__ == "__main__":
    sys.exit(main())
