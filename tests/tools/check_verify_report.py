#!/usr/bin/python3
"""Validates `verify --report FILE.json` reports against schema version 4 (the
README's "Verification report"): every required field present with its type,
the task figures consistent (confusion matrix square and summing to the
samples, ROC from (1, 1) to (0, 0), histogram counts summing to the samples),
and the code bytes per runtime function (kernel_text, measured in the firmware)
non-empty and within the flash, the compile-time estimate (kernel_text_estimated)
adding up to its total.
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
    "latency_ms": NUMBER, "layers": list, "functions": list, "energy": dict, "target": dict, "task": str,
    "flash_budget_kb": NUMBER, "ram_budget_kb": NUMBER, "finetune_history": list,
    "kernel_text": list,
}
# Schema 4: code bytes per runtime function (tml_*) of the firmware ELF, and the estimate
# per kernel the compile step wrote into the manifest (present when the tool that compiled
# was built with arm-none-eabi-gcc).
KERNEL_TEXT = {"function": str, "bytes": int}
KERNEL_TEXT_ESTIMATED = {"estimated": bool, "compiler": str, "flags": str, "total_bytes": int,
                         "kernels": list}
KERNEL_ESTIMATE = {"kernel": str, "bytes": int}
# The board profile the cycles were counted on (emulator/target_profile.h).
TARGET = {"name": str, "settings": str, "clock_mhz": NUMBER, "flash_wait_states": int,
          "flash_cache": bool}
GATE = {"gate": str, "value": NUMBER, "limit": NUMBER, "kind": str, "default": bool, "passed": bool,
        "detail": str}
DATA_FILE = {"role": str, "path": str, "sha256": str}
OUTPUT = {"name": str, "max_abs_error": NUMBER, "rmse": NUMBER, "snr_db": NUMBER,
          "relative_error": NUMBER, "top1_agreement": int}
LAYER = {"layer": str, "cycles": int, "instructions": int}
LAYER_OPTIONAL = {"name": str, "op": str, "weight_bytes_before": int, "weight_bytes_after": int,
                  "macs": int, "cycles_per_mac": NUMBER, "arena_bytes": int}
FIGURES = {"accuracy": NUMBER, "perplexity": NUMBER, "auc": NUMBER, "recall": NUMBER, "threshold": NUMBER,
           "confusion_matrix": list, "roc": list, "score_histogram": dict}
ROC_POINT = {"threshold": NUMBER, "fpr": NUMBER, "tpr": NUMBER}
HISTOGRAM = {"edges": list, "normal": list, "anomalous": list}
EPOCH = {"epoch": int, "loss": NUMBER, "agreement": NUMBER}
SCHEMA_VERSION = 4
# Present when the output directory was compiled with --gate.
WAKE_GATE = {"kind": str, "windows": int, "passed": int, "discarded_fraction": NUMBER,
             "host_mismatches": int, "gate_cycles_mean": NUMBER, "gate_cycles_max": int,
             "gate_cost_fraction": NUMBER, "cycles_per_window_without_gate": NUMBER,
             "cycles_per_window_with_gate": NUMBER, "uj_per_window_with_gate": NUMBER,
             "uj_per_window_without_gate": NUMBER}
WAKE_GATE_OPTIONAL = {"relevant_source": str, "relevant": int, "relevant_kept": int, "recall": NUMBER,
                      "positives": int, "positives_lost": int, "battery_hours_with_gate": NUMBER,
                      "battery_hours_without_gate": NUMBER, "average_current_ua_with_gate": NUMBER,
                      "s8": dict}
WAKE_GATE_S8 = {"host_mismatches": int, "agree_with_float": int, "gate_cycles_mean": NUMBER}


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


def check_task_figures(side, figures, samples):
    problems = []
    matrix = figures.get("confusion_matrix")
    if isinstance(matrix, list):
        if any(not isinstance(row, list) or len(row) != len(matrix) for row in matrix):
            problems.append(f"{side}.confusion_matrix: not square")
        elif sum(sum(row) for row in matrix) != samples:
            problems.append(f"{side}.confusion_matrix: counts do not add up to {samples} samples")
    roc = figures.get("roc")
    if isinstance(roc, list):
        for i, p in enumerate(roc):
            problems += check_fields(f"{side}.roc[{i}]", p, ROC_POINT)
        if not problems and roc and ((roc[0]["fpr"], roc[0]["tpr"]) != (1, 1) or
                                     (roc[-1]["fpr"], roc[-1]["tpr"]) != (0, 0)):
            problems.append(f"{side}.roc: does not run from (1, 1) to (0, 0)")
    hist = figures.get("score_histogram")
    if isinstance(hist, dict):
        problems += check_fields(f"{side}.score_histogram", hist, HISTOGRAM)
        if not problems:
            if not (len(hist["edges"]) == len(hist["normal"]) + 1 == len(hist["anomalous"]) + 1):
                problems.append(f"{side}.score_histogram: edges and counts disagree in length")
            elif sum(hist["normal"]) + sum(hist["anomalous"]) != samples:
                problems.append(f"{side}.score_histogram: counts do not add up to {samples} samples")
    return problems


def check(report):
    problems = check_fields("report", report, TOP)
    if problems:
        return problems
    if report["schema_version"] != SCHEMA_VERSION:
        problems.append(f"schema_version {report['schema_version']}, expected {SCHEMA_VERSION}")
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
    problems += check_fields("target", report["target"], TARGET)
    if report["target"].get("clock_mhz") != report["clock_mhz"]:
        problems.append("target.clock_mhz disagrees with clock_mhz")
    for side in ("firmware_figures", "float_figures"):
        problems += check_fields(side, report[side], {}, FIGURES)
        problems += check_task_figures(side, report[side], report["samples"])
    for i, e in enumerate(report["finetune_history"]):
        problems += check_fields(f"finetune_history[{i}]", e, EPOCH)
    if "gate" in report:
        g = report["gate"]
        problems += check_fields("gate", g, WAKE_GATE, WAKE_GATE_OPTIONAL)
        if isinstance(g.get("s8"), dict):
            problems += check_fields("gate.s8", g["s8"], WAKE_GATE_S8)
            if not problems and g["s8"]["host_mismatches"] > 0 and report["passed"]:
                problems.append("'passed' although the int8 gate's decisions differ from the host reference")
        if not problems and not 0 <= g["passed"] <= g["windows"]:
            problems.append("gate: 'passed' outside 0..windows")
        if not problems and g["host_mismatches"] > 0 and report["passed"]:
            problems.append("'passed' although the gate's decisions differ from the host reference")
    kernel_text = report["kernel_text"]
    if not kernel_text:
        problems.append("kernel_text: empty (every firmware links runtime functions)")
    for i, k in enumerate(kernel_text):
        found = check_fields(f"kernel_text[{i}]", k, KERNEL_TEXT)
        problems += found
        if not found and (not k["function"].startswith("tml_") or k["bytes"] <= 0):
            problems.append(f"kernel_text[{i}]: not a tml_* function with a positive size")
    if not problems and sum(k["bytes"] for k in kernel_text) > report["flash_bytes"]:
        problems.append("kernel_text: adds up to more than flash_bytes")
    if "kernel_text_estimated" in report:
        est = report["kernel_text_estimated"]
        found = check_fields("kernel_text_estimated", est, KERNEL_TEXT_ESTIMATED)
        problems += found
        if not found:
            for i, k in enumerate(est["kernels"]):
                problems += check_fields(f"kernel_text_estimated.kernels[{i}]", k, KERNEL_ESTIMATE)
            if not problems and sum(k["bytes"] for k in est["kernels"]) != est["total_bytes"]:
                problems.append("kernel_text_estimated: kernels do not add up to total_bytes")
            if not est["estimated"]:
                problems.append("kernel_text_estimated: 'estimated' must be true")
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
            print(f"{path}: valid verify report (schema {SCHEMA_VERSION})")
    return 1 if bad or not paths else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
