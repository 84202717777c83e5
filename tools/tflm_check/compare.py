#!/usr/bin/env python3
"""Helpers of scripts/check_tflm.sh.

  compare.py input INFO.json I OUT.raw   a deterministic normalised-image-like
                                         float32 input (values in [-2.1, 2.6],
                                         8x8 blocks plus noise) of the model's
                                         input shape, number I
  compare.py compare NAME I DIR          potacc vs TFLite Micro in DIR (potacc.raw,
                                         tflm.raw, potacc/ and tflm/ tensor dumps):
                                         prints one CSV row, exit 1 if outputs differ
  compare.py json CSV JSON               the CSV as JSON
"""
import csv
import json
import os
import random
import struct
import sys


def make_input(info_path, index, out_path):
    info = json.load(open(info_path))
    shape = info["inputs"][0]["shape"]
    if len(shape) != 4 or info["inputs"][0]["type"] != "float32":
        sys.exit("compare.py: expected one float32 NHWC input, got %s" % info["inputs"][0])
    _, h, w, c = shape
    rng = random.Random(1000 + int(index))
    blocks = [[[rng.uniform(-2.1, 2.6) for _ in range(c)] for _ in range(w // 8 + 1)] for _ in range(h // 8 + 1)]
    values = [min(2.6, max(-2.1, blocks[y // 8][x // 8][k] + rng.gauss(0, 0.3)))
              for y in range(h) for x in range(w) for k in range(c)]
    with open(out_path, "wb") as f:
        f.write(struct.pack("<%df" % len(values), *values))


def compare(name, index, d):
    a = open(os.path.join(d, "potacc.raw"), "rb").read()
    b = open(os.path.join(d, "tflm.raw"), "rb").read()
    n = min(len(a), len(b)) // 4
    fa = struct.unpack("<%df" % n, a[:4 * n])
    fb = struct.unpack("<%df" % n, b[:4 * n])
    exact = sum(1 for x, y in zip(fa, fb) if x == y) if len(a) == len(b) else 0
    order = json.load(open(os.path.join(d, "tflm", "tensors.json")))
    same, first = 0, ""
    for e in order:
        fname = "tensor_%d.raw" % e["tensor"]
        p = os.path.join(d, "potacc", fname)
        if os.path.exists(p) and open(p, "rb").read() == open(os.path.join(d, "tflm", fname), "rb").read():
            same += 1
        elif not first:
            first = "op %d tensor %d" % (e["op"], e["tensor"])
    print("%s,%s,%d,%d,%d,%d,%s" % (name, index, n, exact, len(order), same, first))
    return a == b


def to_json(csv_path, json_path):
    rows = list(csv.DictReader(open(csv_path)))
    with open(json_path, "w") as f:
        json.dump(rows, f, indent=1)


if __name__ == "__main__":
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "input" and len(sys.argv) == 5:
        make_input(sys.argv[2], sys.argv[3], sys.argv[4])
    elif cmd == "compare" and len(sys.argv) == 5:
        sys.exit(0 if compare(sys.argv[2], sys.argv[3], sys.argv[4]) else 1)
    elif cmd == "json" and len(sys.argv) == 4:
        to_json(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
