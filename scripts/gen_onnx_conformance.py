#!/usr/bin/python3
"""Generates the official ONNX node conformance cases into OUTDIR.

Uses Debian's python3-onnx (1.12): `onnx.backend.test.cmd_tools generate-data`.
With numpy >= 1.24 the generator needs the removed numpy aliases restored
before onnx.backend.test is imported. Each case lands in
OUTDIR/node/<test_name>/{model.onnx,test_data_set_0/{input_N.pb,output_N.pb}}.
"""
import sys

import numpy as np

for alias, value in (("float", float), ("int", int), ("bool", bool), ("object", object)):
    if alias not in np.__dict__:
        setattr(np, alias, value)

import onnx  # noqa: E402
from onnx.backend.test import cmd_tools  # noqa: E402


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit("usage: gen_onnx_conformance.py OUTDIR")
    sys.argv = [sys.argv[0], "generate-data", "-o", sys.argv[1]]
    cmd_tools.main()
    print(f"generated ONNX {onnx.__version__} node conformance cases in {sys.argv[-1]}")


if __name__ == "__main__":
    main()
