#!/usr/bin/python3
"""Checks the wake-up gate example's acceptance figures in a `verify --report`
JSON (examples/wake_gate/README.md): at least 60 % of all windows discarded, at
least 99 % of the relevant windows kept, the gate at most 1 % of the model's
cycles, no decision different from the host reference, and a longer battery
life with the gate. Usage: check_wake_gate_acceptance.py REPORT.json; exit 1
listing what missed."""
import json
import sys


def main(path):
    with open(path) as f:
        report = json.load(f)
    g = report.get("gate")
    if g is None:
        print(f"{path}: no 'gate' section")
        return 1
    checks = [
        ("discarded fraction >= 0.60", g["discarded_fraction"] >= 0.60, g["discarded_fraction"]),
        ("recall of the relevant windows >= 0.99", g.get("recall", 0.0) >= 0.99, g.get("recall")),
        ("gate cost <= 1 % of the model's cycles", g["gate_cost_fraction"] <= 0.01, g["gate_cost_fraction"]),
        ("decisions equal the host reference", g["host_mismatches"] == 0, g["host_mismatches"]),
        ("battery life grows with the gate",
         g.get("battery_hours_with_gate", 0.0) > g.get("battery_hours_without_gate", float("inf")),
         (g.get("battery_hours_with_gate"), g.get("battery_hours_without_gate"))),
    ]
    bad = 0
    for name, ok, value in checks:
        print(f"{'ok' if ok else 'MISSED'}: {name} ({value})")
        bad += not ok
    if not bad:
        print("wake-up gate acceptance met")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
