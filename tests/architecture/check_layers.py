#!/usr/bin/env python3
"""Keeps the include graph of tinyml-compile one way (ARCHITECTURE.md).

Every source file belongs to a layer by its path; each layer lists the layers
its files may #include. A quoted include is mapped to the layer of the file it
names (runtime headers are "tml_*.h"). Any other edge is a violation: the
check prints each one (file, line, include, why) and exits 1.

  check_layers.py ROOT        check the tree at ROOT
  check_layers.py --self-test show that planted back edges are caught
"""
import os
import re
import sys
import tempfile

# Layer of a path (relative, '/' separated): the first prefix that matches.
LAYERS = [
    ("compiler/status.h", "base"),
    ("compiler/observer.h", "base"),
    ("compiler/version.h", "base"),  # generated from compiler/version.h.in
    ("compiler/atomic_file.", "base"),
    ("compiler/cli/", "cli"),
    ("compiler/driver/", "driver"),
    ("compiler/report/", "driver"),
    ("compiler/", "ir"),  # ir/, onnx/, ops/, reference/, quant/, gate/, npy, inspect
    ("passes/", "passes"),
    ("codegen/", "codegen"),
    ("verification/", "verification"),
    ("emulator/", "emulator"),
    ("runtime/", "runtime"),
]

# Who may include whom (besides itself). The arrows of ARCHITECTURE.md:
# CLI -> driver -> {passes, codegen, verification} -> IR; the emulator knows
# only ELF files; runtime headers are codegen's (and the runtime's) alone.
ALLOWED = {
    "base": set(),
    "ir": {"base"},
    "passes": {"base", "ir"},
    "codegen": {"base", "ir", "runtime"},
    "emulator": {"base"},
    "verification": {"base", "ir", "emulator"},
    "driver": {"base", "ir", "passes", "codegen", "verification", "emulator"},
    "cli": {"base", "driver"},
    "runtime": set(),
}

SOURCE_DIRS = ["compiler", "passes", "codegen", "verification", "emulator", "runtime"]
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def layer_of(path):
    for prefix, layer in LAYERS:
        if path == prefix or path.startswith(prefix):
            return layer
    if re.match(r"^tml_\w+\.h$", os.path.basename(path)) and "/" not in path:
        return "runtime"
    return None


def check(root):
    violations = []
    for top in SOURCE_DIRS:
        for dirpath, _, files in os.walk(os.path.join(root, top)):
            for name in sorted(files):
                if not name.endswith((".h", ".cc", ".c", ".def", ".in")):
                    continue
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, root).replace(os.sep, "/")
                src_layer = layer_of(rel)
                with open(path, encoding="utf-8", errors="replace") as f:
                    for lineno, line in enumerate(f, 1):
                        m = INCLUDE.match(line)
                        if not m:
                            continue
                        target = m.group(1)
                        dst_layer = layer_of(target)
                        if dst_layer is None:
                            if "/" in target and src_layer != "runtime":
                                violations.append(f"{rel}:{lineno}: #include \"{target}\": "
                                                  "outside every layer")
                            continue  # same-directory includes (runtime, harness sources)
                        if dst_layer == src_layer or dst_layer in ALLOWED[src_layer]:
                            continue
                        violations.append(f"{rel}:{lineno}: #include \"{target}\": "
                                          f"{src_layer} may not depend on {dst_layer}")
    return violations


def self_test():
    planted = {
        "passes/bad_pass.cc": '#include "compiler/driver/compile.h"\n',
        "codegen/bad_emit.cc": '#include "passes/quantize.h"\n',
        "emulator/bad_runner.cc": '#include "compiler/ir/graph.h"\n',
        "passes/bad_runtime.cc": '#include "tml_kernels_s8.h"\n',
        "verification/bad_verify.cc": '#include "compiler/cli/cli_common.h"\n',
        "compiler/ir/bad_ir.cc": '#include "passes/pass.h"\n',
        "codegen/good_emit.cc": '#include "compiler/quant/int8_plan.h"\n#include "tml_kernels.h"\n',
    }
    with tempfile.TemporaryDirectory() as root:
        for rel, text in planted.items():
            os.makedirs(os.path.dirname(os.path.join(root, rel)), exist_ok=True)
            with open(os.path.join(root, rel), "w") as f:
                f.write(text)
        found = check(root)
    bad = [rel for rel in planted if "/bad_" in rel]
    missed = [rel for rel in bad if not any(v.startswith(rel + ":") for v in found)]
    wrong = [v for v in found if "good_" in v]
    for v in found:
        print("caught:", v)
    if missed or wrong:
        print("self-test FAILED: missed", missed, "flagged allowed", wrong)
        return 1
    print(f"self-test: all {len(bad)} planted back edges caught, allowed includes pass")
    return 0


def main(argv):
    if len(argv) == 2 and argv[1] == "--self-test":
        return self_test()
    if len(argv) != 2:
        print(__doc__)
        return 2
    violations = check(argv[1])
    for v in violations:
        print(v)
    if violations:
        print(f"{len(violations)} include(s) break the layering (see ARCHITECTURE.md)")
        return 1
    print("include graph is one way: " + ", ".join(f"{k} -> {sorted(v)}" for k, v in ALLOWED.items() if v))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
