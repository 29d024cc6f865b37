#!/usr/bin/python3
"""Writes the data of the wake-up gate example (examples/wake_gate/README.md):
a machine that stands idle most of the time, watched by the lstm_autoencoder
example's model through a 2-axis accelerometer at 1 kHz, one 32 ms window at a
time. Needs only numpy; deterministic (a rerun gives identical files).

  idle_x.npy       [512, 32, 2]  idle windows for the gate's calibration (--gate-discard)
  stream_x.npy     [200, 32, 2]  the test stream: 150 idle windows and 50 windows of the
                                 running machine (25 normal, 25 faulty, from
                                 ../lstm_autoencoder/test_x.npy) in bursts
  stream_y.npy     [200] int64   1 = faulty (the anomaly labels), 0 otherwise
  stream_active.npy [200] int64 1 = the machine runs (the windows the model must see)

The relevant calibration windows are ../lstm_autoencoder/calib_x.npy (normal running).
"""
import os
import sys

import numpy as np

FS, T, C = 1000.0, 32, 2
HERE = os.path.dirname(os.path.abspath(__file__))
AE = os.path.join(HERE, "..", "lstm_autoencoder")


def idle_window(rng):
    """The machine is off: sensor noise around a small offset, and sometimes a knock on
    the housing, a slow sway of the mount or the faint vibration of a neighbouring machine."""
    t = np.arange(T) / FS
    x = rng.uniform(-0.03, 0.03, C) + rng.uniform(0.01, 0.04) * rng.standard_normal((T, C))
    event = rng.uniform()
    if event < 0.15:    # knock: a decaying 250 Hz ringing at a random time
        start = rng.uniform(0, t[-1])
        dt = t - start
        ring = np.where(dt >= 0, np.exp(-np.maximum(dt, 0) * 300.0) * np.sin(2 * np.pi * 250.0 * dt), 0.0)
        x += rng.uniform(0.1, 0.5) * ring[:, None] * np.array([1.0, 0.6])
    elif event < 0.30:  # sway of the mount, 1-5 Hz
        x += rng.uniform(0.02, 0.1) * np.sin(2 * np.pi * rng.uniform(1, 5) * t + rng.uniform(0, 6.3))[:, None]
    elif event < 0.45:  # a neighbouring machine, transmitted through the floor, 25-35 Hz
        f = rng.uniform(25, 35)
        a = rng.uniform(0.02, 0.08)
        ph = rng.uniform(0, 2 * np.pi)
        x[:, 0] += a * np.sin(2 * np.pi * f * t + ph)
        x[:, 1] += 0.7 * a * np.sin(2 * np.pi * f * t + ph + np.pi / 2)
    return x


def idle_windows(rng, n):
    return np.stack([idle_window(rng) for _ in range(n)]).astype(np.float32)


def stream(rng, active_x, active_y, n_idle):
    """Idle stretches of 3-20 windows between bursts of 2-8 running windows."""
    idle = idle_windows(rng, n_idle)
    xs, ys, act = [], [], []
    i_idle = i_act = 0
    while i_idle < n_idle or i_act < len(active_x):
        k = min(int(rng.integers(3, 21)), n_idle - i_idle)
        xs += list(idle[i_idle:i_idle + k])
        ys += [0] * k
        act += [0] * k
        i_idle += k
        k = min(int(rng.integers(2, 9)), len(active_x) - i_act)
        xs += list(active_x[i_act:i_act + k])
        ys += list(active_y[i_act:i_act + k])
        act += [1] * k
        i_act += k
    return np.stack(xs).astype(np.float32), np.array(ys, np.int64), np.array(act, np.int64)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else HERE
    test_x = np.load(os.path.join(AE, "test_x.npy"))
    test_y = np.load(os.path.join(AE, "test_y.npy"))
    pick = np.concatenate([np.flatnonzero(test_y == 0)[:25], np.flatnonzero(test_y == 1)[:25]])
    rng = np.random.default_rng(17)
    pick = pick[rng.permutation(len(pick))]
    np.save(os.path.join(out, "idle_x.npy"), idle_windows(np.random.default_rng(1), 512))
    x, y, active = stream(rng, test_x[pick], test_y[pick], 150)
    np.save(os.path.join(out, "stream_x.npy"), x)
    np.save(os.path.join(out, "stream_y.npy"), y)
    np.save(os.path.join(out, "stream_active.npy"), active)
    print(f"stream: {len(x)} windows, {int((active == 0).sum())} idle "
          f"({100.0 * (active == 0).mean():.1f}%), {int(y.sum())} faulty")


if __name__ == "__main__":
    main()
