#!/usr/bin/python3
"""Checks the per-kernel text of a compile output (its tinyml-compile.json `kernel_text`)
against the output and, given a verify report of it, against the firmware:

- the estimate lists exactly the runtime sources the output links (runtime/src/*.c), each
  with a positive size, and they add up to total_bytes; `estimated` is true;
- the compile report's text line (COMPILE_STDOUT) names the same total;
- every runtime kernel function the firmware has (REPORT.json kernel_text, measured from
  the ELF) is at most its file's estimate (the estimate includes static helpers and the
  default tml_config.h, where every operator form is linked).

Usage: check_kernel_text.py OUTDIR COMPILE_STDOUT [REPORT.json]; prints "kernel-text-ok"."""
import json
import os
import re
import sys


def main(out_dir, stdout_path, report_path=None):
    problems = []
    with open(os.path.join(out_dir, "tinyml-compile.json")) as f:
        manifest = json.load(f)
    kt = manifest.get("kernel_text")
    if not isinstance(kt, dict):
        print("manifest: no kernel_text")
        return 1
    estimate = {k["kernel"]: k["bytes"] for k in kt["kernels"]}
    linked = {name[:-2] for name in os.listdir(os.path.join(out_dir, "runtime", "src"))
              if name.endswith(".c")}
    if set(estimate) != linked:
        problems.append(f"kernel_text lists {sorted(estimate)}, the output links {sorted(linked)}")
    if any(b <= 0 for b in estimate.values()):
        problems.append("kernel_text: a kernel without bytes")
    if sum(estimate.values()) != kt["total_bytes"]:
        problems.append("kernel_text: kernels do not add up to total_bytes")
    if kt.get("estimated") is not True or not kt.get("compiler", "").startswith("arm-none-eabi-gcc"):
        problems.append("kernel_text: not marked as an arm-none-eabi-gcc estimate")
    with open(stdout_path) as f:
        text = f.read()
    m = re.search(r"runtime text (\d+) bytes \(estimated: arm-none-eabi-gcc", text)
    if not m or int(m.group(1)) != kt["total_bytes"]:
        problems.append("compile report: no 'runtime text N bytes (estimated ...' line with the total")
    for kernel, size in estimate.items():
        if f"{kernel} {size}" not in text:
            problems.append(f"compile report: '{kernel} {size}' missing")
    if report_path:
        with open(report_path) as f:
            report = json.load(f)
        if report.get("kernel_text_estimated") != kt:
            problems.append("verify report: kernel_text_estimated differs from the manifest's")
        measured = {k["function"]: k["bytes"] for k in report["kernel_text"]}
        for kernel, size in estimate.items():
            if kernel in measured and measured[kernel] > size:
                problems.append(f"{kernel}: measured {measured[kernel]} bytes > estimate {size}")
        if not any(k in measured for k in estimate):
            problems.append("verify report: no estimated kernel among the firmware's functions")
    for p in problems:
        print(p)
    if not problems:
        print("kernel-text-ok")
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        print(__doc__)
        sys.exit(2)
    sys.exit(main(*sys.argv[1:]))
