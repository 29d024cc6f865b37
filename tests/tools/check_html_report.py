#!/usr/bin/python3
"""Opens an --html report in headless Chromium and checks it against the JSON
report of the same run (--report):
  - the page loads with no console message (its Content-Security-Policy turns
    any attempt to load something from outside the page into one);
  - a screenshot is taken (--screenshot FILE.png; a PNG of the window size);
  - every figure the page shows equals the JSON's: the verdict and the gates,
    the task figures of the firmware and the float original, every layer's
    byte counts, arena bytes, MACs, cycles and cycles/MAC, the confusion
    matrices, the ROC curves, the score histograms and the fine-tuning losses.
    The page carries each exact value in data-* attributes
    (compiler/report/html_charts.h); the text shown next to it must agree.
Usage: check_html_report.py PAGE.html REPORT.json [--screenshot FILE.png]
Exit 1 listing every problem; prints the number of figures checked."""
import html.parser
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-extensions", "--disable-default-apps", "--metrics-recording-only",
    "--enable-logging=stderr", "--v=0",
]
LAYER_FIELDS = ("weight_bytes_before", "weight_bytes_after", "arena_bytes", "macs", "cycles", "cycles_per_mac")


def chromium(args, page):
    """Runs chromium offline on `page` with a throw-away profile; (stdout, stderr)."""
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary is None:
        sys.exit("chromium not found (scripts/install-deps.sh installs it)")
    with tempfile.TemporaryDirectory(prefix="tml-chromium-") as profile:
        env = dict(os.environ, HOME=profile)
        done = subprocess.run([binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args,
                               "file://" + os.path.abspath(page)],
                              capture_output=True, text=True, timeout=120, env=env)
    if done.returncode != 0:
        sys.exit(f"chromium failed ({done.returncode}): {done.stderr[-2000:]}")
    return done.stdout, done.stderr


class Dom(html.parser.HTMLParser):
    """Elements with data-* attributes: (tag, attrs, text until the element closes)."""

    def __init__(self):
        super().__init__()
        self.elements = []
        self.open = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        element = {"tag": tag, "attrs": attrs, "text": ""}
        if any(k.startswith("data-") for k in attrs) or attrs.get("id"):
            self.elements.append(element)
        if tag not in ("line", "rect", "circle", "polyline", "meta", "br", "img", "path"):
            self.open.append(element)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if self.open and self.open[-1]["tag"] == tag:
            self.open.pop()

    def handle_endtag(self, tag):
        while self.open:
            if self.open.pop()["tag"] == tag:
                break

    def handle_data(self, data):
        for element in self.open:
            element["text"] += data

    def find(self, tag=None, **want):
        out = []
        for e in self.elements:
            if tag and e["tag"] != tag:
                continue
            if all(e["attrs"].get("data-" + k.replace("_", "-")) == str(v) for k, v in want.items()):
                out.append(e)
        return out


def shown_number(text):
    """The number a cell shows: '3,293' -> 3293, '98.61 %' -> 0.9861."""
    text = text.strip().replace(",", "").replace("\u2212", "-")
    match = re.match(r"^(-?[0-9.]+(?:e[-+]?[0-9]+)?)\s*(%?)", text)
    if not match:
        return None
    value = float(match.group(1))
    return value / 100 if match.group(2) else value


def close(shown, exact):
    if shown is None:
        return False
    return abs(shown - exact) <= max(abs(exact) * 1e-3, 5e-5) or abs(shown - round(exact)) < 0.5 <= abs(exact)


class Checker:
    def __init__(self, dom, report):
        self.dom, self.report = dom, report
        self.problems, self.checked = [], 0

    def one(self, what, tag=None, **want):
        found = self.dom.find(tag, **want)
        if len(found) != 1:
            self.problems.append(f"{what}: {len(found)} elements on the page, expected 1")
            return None
        return found[0]

    def equal(self, what, attr_text, exact):
        self.checked += 1
        if attr_text is None or json.loads(attr_text) != exact:
            self.problems.append(f"{what}: page {attr_text}, JSON {exact}")
            return False
        return True

    def shown(self, what, element, exact):
        if not close(shown_number(element["text"]), exact):
            self.problems.append(f"{what}: page shows '{element['text'].strip()}', JSON {exact}")

    def verdict_and_gates(self):
        verdicts = [e for e in self.dom.elements if e["attrs"].get("id") == "verdict"]
        if len(verdicts) != 1:
            self.problems.append(f"verdict: {len(verdicts)} #verdict elements on the page, expected 1")
        else:
            self.equal("verdict", verdicts[0]["attrs"].get("data-passed"), self.report["passed"])
        rows = self.dom.find("tr")
        gate_rows = [e for e in rows if "data-gate" in e["attrs"]]
        if len(gate_rows) != len(self.report["gates"]):
            self.problems.append(f"gates: {len(gate_rows)} rows on the page, JSON {len(self.report['gates'])}")
        for g in self.report["gates"]:
            row = self.one(f"gate '{g['gate']}'", "tr", gate=g["gate"])
            if row is None:
                continue
            self.equal(f"gate '{g['gate']}' value", row["attrs"].get("data-value"), g["value"])
            self.equal(f"gate '{g['gate']}' limit", row["attrs"].get("data-limit"), g["limit"])
            self.equal(f"gate '{g['gate']}' passed", row["attrs"].get("data-passed"), g["passed"])

    def task_figures(self):
        for side, key in (("firmware", "firmware_figures"), ("float", "float_figures")):
            figures = self.report[key]
            for name in ("accuracy", "perplexity", "auc", "recall", "threshold"):
                if name not in figures:
                    continue
                cell = self.one(f"{side} {name}", "td", side=side, figure=name)
                if cell is not None and self.equal(f"{side} {name}", cell["attrs"].get("data-value"), figures[name]):
                    self.shown(f"{side} {name}", cell, figures[name])
            self.task_charts(side, figures)

    def task_charts(self, side, figures):
        for t, row in enumerate(figures.get("confusion_matrix", [])):
            for p, count in enumerate(row):
                cell = self.one(f"{side} confusion {t},{p}", "rect", side=side, true=t, pred=p)
                if cell is not None:
                    self.equal(f"{side} confusion {t},{p}", cell["attrs"].get("data-count"), count)
        if "roc" in figures:
            curve = self.one(f"{side} ROC", "polyline", side=side)
            if curve is not None:
                self.equal(f"{side} ROC fpr", curve["attrs"].get("data-fpr"), [p["fpr"] for p in figures["roc"]])
                self.equal(f"{side} ROC tpr", curve["attrs"].get("data-tpr"), [p["tpr"] for p in figures["roc"]])
        hist = figures.get("score_histogram")
        for cls in ("normal", "anomalous") if hist else ():
            for b, count in enumerate(hist[cls]):
                bar = self.one(f"{side} histogram {cls} bin {b}", "rect", side=side, **{"class": cls}, bin=b)
                if bar is not None:
                    self.equal(f"{side} histogram {cls} bin {b}", bar["attrs"].get("data-count"), count)

    def layers(self):
        rows = [e for e in self.dom.find("tr") if "data-layer" in e["attrs"]]
        if len(rows) != len(self.report["layers"]):
            self.problems.append(f"layers: {len(rows)} rows on the page, JSON {len(self.report['layers'])}")
        cells = [e for e in self.dom.find("td") if "data-field" in e["attrs"]]
        # Cells in page order, grouped by the row they follow.
        by_row, row = {}, -1
        order = {id(e): i for i, e in enumerate(self.dom.elements)}
        marks = sorted([(order[id(r)], int(r["attrs"]["data-layer"])) for r in rows])
        for cell in cells:
            position = order[id(cell)]
            row = max((layer for start, layer in marks if start < position), default=-1)
            by_row.setdefault(row, {})[cell["attrs"]["data-field"]] = cell
        for i, layer in enumerate(self.report["layers"]):
            for field in LAYER_FIELDS:
                if field not in layer:
                    continue
                cell = by_row.get(i, {}).get(field)
                if cell is None:
                    self.problems.append(f"layer {i} {field}: not on the page (JSON {layer[field]})")
                elif self.equal(f"layer {i} {field}", cell["attrs"].get("data-value"), layer[field]):
                    self.shown(f"layer {i} {field}", cell, layer[field])

    def losses(self):
        for e in self.report["finetune_history"]:
            dot = self.one(f"loss of epoch {e['epoch']}", "circle", epoch=e["epoch"])
            if dot is not None:
                self.equal(f"loss of epoch {e['epoch']}", dot["attrs"].get("data-loss"), e["loss"])


def check_png(path):
    with open(path, "rb") as f:
        head = f.read(24)
    if len(head) < 24 or head[:8] != b"\x89PNG\r\n\x1a\n":
        return [f"{path}: not a PNG"]
    width, height = struct.unpack(">II", head[16:24])
    return [] if width > 0 and height > 0 else [f"{path}: empty image"]


def main(argv):
    if len(argv) not in (2, 4) or (len(argv) == 4 and argv[2] != "--screenshot"):
        sys.exit(__doc__)
    page, report_path = argv[0], argv[1]
    with open(report_path) as f:
        report = json.load(f)
    dom_text, log = chromium(["--dump-dom"], page)
    problems = [f"console: {line.strip()}" for line in log.splitlines() if ":CONSOLE" in line]
    if len(argv) == 4:
        if os.path.exists(argv[3]):
            os.remove(argv[3])
        chromium([f"--screenshot={argv[3]}", "--window-size=1280,4000", "--hide-scrollbars"], page)
        problems += check_png(argv[3]) if os.path.exists(argv[3]) else [f"{argv[3]}: no screenshot written"]
    dom = Dom()
    dom.feed(dom_text)
    checker = Checker(dom, report)
    checker.verdict_and_gates()
    checker.task_figures()
    checker.layers()
    checker.losses()
    problems += checker.problems
    for p in problems:
        print(f"{page}: {p}")
    if problems:
        return 1
    print(f"{page}: the page equals {report_path}: {checker.checked} figures checked, no console message")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
