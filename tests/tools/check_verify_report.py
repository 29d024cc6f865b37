#!/usr/bin/python3
"""Validates `verify --report FILE.json` reports against schema version 2 (the
README's "The verify report"): every required field present with its type.
Usage: check_verify_report.py REPORT.json... ; exit 1 listing every problem."""
import json
import sys

NUMBER = (int, float)
TOP = {
    "schema_version": int, "tool": str, "version": str, "model_path": str, "model_hash": str,
    "name": str, "options": str, "data_files": list, "passed": bool, "problems": list,
    "gates": list, "firmware_figures": dict, "float_figures": dict, "samples": int,
    "instructions_per_inference": NUMBER, "cycles_per_inference": NUMBER, "flash_bytes": int,
    "ram_bytes": int, "stack_high_water": int, "outputs": list, "clock_mhz": NUMBER,
    "latency_ms": NUMBER, "layers": list, "functions": list, "energy": dict, "task": str,
}
GATE = {"gate": str, "value": NUMBER, "limit": NUMBER, "kind": str, "default": bool, "passed": bool,
        "detail": str}
DATA_FILE = {"role": str, "path": str, "sha256": str}
OUTPUT = {"name": str, "max_abs_error": NUMBER, "rmse": NUMBER, "snr_db": NUMBER,
          "relative_error": NUMBER, "top1_agreement": int}
LAYER = {"layer": str, "cycles": int, "instructions": int}
LAYER_OPTIONAL = {"name": str, "op": str, "weight_bytes_before": NUMBER, "weight_bytes_after": NUMBER,
                  "macs": int, "cycles_per_mac": NUMBER}
FIGURES = {"accuracy": NUMBER, "perplexity": NUMBER, "auc": NUMBER, "recall": NUMBER, "threshold": NUMBER}


def check_fields(where, obj, required, optional=None):
    problems = []
    if not isinstance(obj, dict):
        return [f"{where}: not an object"]
    for key, kind in required.items():
        if key not in obj:
            problems.append(f"{where}: '{key}' missing")
        elif not isinstance(obj[key], kind) or (kind is int and isinstance(obj[key], bool)):
            problems.append(f"{where}: '{key}' is {type(obj[key]).__name__}")
    for key, kind in (optional or {}).items():
        if key in obj and not isinstance(obj[key], kind):
            problems.append(f"{where}: '{key}' is {type(obj[key]).__name__}")
    return problems


def check(report):
    problems = check_fields("report", report, TOP)
    if problems:
        return problems
    if report["schema_version"] != 2:
        problems.append(f"schema_version {report['schema_version']}, expected 2")
    for i, g in enumerate(report["gates"]):
        problems += check_fields(f"gates[{i}]", g, GATE)
    for i, f in enumerate(report["data_files"]):
        problems += check_fields(f"data_files[{i}]", f, DATA_FILE)
        if len(f.get("sha256", "")) != 64:
            problems.append(f"data_files[{i}]: sha256 is not 64 hex digits")
    for i, o in enumerate(report["outputs"]):
        problems += check_fields(f"outputs[{i}]", o, OUTPUT)
    for i, layer in enumerate(report["layers"]):
        problems += check_fields(f"layers[{i}]", layer, LAYER, LAYER_OPTIONAL)
    for side in ("firmware_figures", "float_figures"):
        problems += check_fields(side, report[side], {}, FIGURES)
    if report["passed"] != (len(report["problems"]) == 0):
        problems.append("'passed' disagrees with 'problems'")
    if report["passed"] and any(not g["passed"] for g in report["gates"]):
        problems.append("'passed' although a gate failed")
    return problems


def main(paths):
    bad = 0
    for path in paths:
        with open(path) as f:
            problems = check(json.load(f))
        for p in problems:
            print(f"{path}: {p}")
        bad += len(problems)
        if not problems:
            print(f"{path}: valid verify report (schema 2)")
    return 1 if bad or not paths else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
