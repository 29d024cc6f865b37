#!/usr/bin/python3
"""Calibration windows for examples/char_lm from the model's training text.

    /usr/bin/python3 examples/char_lm/make_calib.py COUNT OUT.npy [--seq 32] [--seed 2]

Writes int64 [COUNT, SEQ] token windows drawn (seeded, without replacement) from the
first 85 % of the corpus train_char_lm.py trains on, the same lowercasing and
50-symbol vocabulary; the held-out 15 % that test_x.npy comes from is never used.
Only numpy is needed (no torch), so the fine-tuning bench can make 20,000 windows
on any machine that has the corpus (Debian's python3.11 package).
"""
import argparse
import gzip

import numpy as np

CORPUS = "/usr/share/doc/python3.11/NEWS.gz"
VOCAB = "\n abcdefghijklmnopqrstuvwxyz0123456789.,:;-_()'`/~"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("count", type=int)
    ap.add_argument("out")
    ap.add_argument("--seq", type=int, default=32)
    ap.add_argument("--seed", type=int, default=2)
    args = ap.parse_args()
    text = gzip.decompress(open(CORPUS, "rb").read()).decode("utf-8", errors="replace").lower()
    index = {c: i for i, c in enumerate(VOCAB)}
    ids = np.array([index.get(c, index["~"]) for c in text], dtype=np.int64)
    train_ids = ids[:int(len(ids) * 0.85)]
    rng = np.random.default_rng(args.seed)
    starts = rng.choice(len(train_ids) - args.seq, args.count, replace=False)
    np.save(args.out, np.stack([train_ids[s:s + args.seq] for s in starts]).astype(np.int64))


if __name__ == "__main__":
    main()
