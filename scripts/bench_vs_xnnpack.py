#!/usr/bin/env python3
"""Side-by-side: potacc's CPU runtime against Debian's XNNPACK on the same int8 graph.

Builds a small harness (bench/xnnpack/xnnpack_graph.cc) against libxnnpack-dev,
derives the graph from `potacc info --json MODEL` (same operators, shapes and
quantization; XNNPACK gets random weights), pins both programs to one core,
alternates them for several trials, and prints the median time per inference
of each, the ratio potacc / XNNPACK, and potacc's time per operator type.

Time is measured two ways in both programs: wall clock, and the CPU time of the
inferring thread (robust when other processes share the machine: the primary
figure). Results also go to --json.

  apt-get install libxnnpack-dev libpthreadpool-dev     # once
  ./scripts/bench_vs_xnnpack.py [--model M] [--cpu N] [--trials 7] [--repeat 30] [--json r.json]
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def fail(msg):
    sys.exit("bench_vs_xnnpack: error: " + msg)


def quant(t):
    q = t.get("quantization") or {}
    if "scale" not in q:
        fail("tensor %d (%s) has no per-tensor quantization" % (t["index"], t.get("name", "")))
    return q["scale"], q["zero_point"]


def elements(shape):
    n = 1
    for d in shape:
        n *= d
    return n


def same_padding(size, k, stride, out):
    total = max((out - 1) * stride + k - size, 0)
    return total // 2, total - total // 2


def conv_padding(options, h, w, kh, kw, stride, oh, ow):
    if "VALID" in options:
        return 0, 0, 0, 0
    top, bottom = same_padding(h, kh, stride, oh)
    left, right = same_padding(w, kw, stride, ow)
    return top, bottom, left, right


def graph_lines(info):
    """One harness line per operator of the model (see xnnpack_graph.cc)."""
    lines = []
    for n in info["nodes"]:
        op, ins, outs, opts = n["op"], n["inputs"], n["outputs"], n["options"]
        out, src = outs[0], ins[0]
        if op == "QUANTIZE":
            s, zp = quant(out)
            lines.append("quantize %d %d %d %d %.9g %d" % (out["index"], src["index"], elements(src["shape"][:-1]),
                                                          src["shape"][-1], s, zp))
        elif op == "PAD":
            _, h, w, c = src["shape"]
            _, h2, w2, _ = out["shape"]
            # The split between leading and trailing padding does not change the work.
            lines.append("pad %d %d %d %d %d 0 %d 0 %d %d" % (out["index"], src["index"], h, w, c, h2 - h, w2 - w,
                                                              quant(src)[1]))
        elif op in ("CONV_2D", "DEPTHWISE_CONV_2D"):
            _, h, w, c = src["shape"]
            fshape = ins[1]["shape"]
            _, oh, ow, oc = out["shape"]
            kh, kw = fshape[1], fshape[2]
            m = re.search(r"\bs(\d+)\b", opts)
            stride = int(m.group(1)) if m else 1
            if re.search(r"\bd\d", opts):
                fail("dilated convolutions are not supported by the harness")
            top, bottom, left, right = conv_padding(opts, h, w, kh, kw, stride, oh, ow)
            si, zpi = quant(src)
            so, zpo = quant(out)
            if op == "CONV_2D":
                lines.append("conv %d %d %d %d %d %d %d %d %d %d %d %d %d %.9g %d %.9g %d" % (
                    out["index"], src["index"], h, w, c, oc, kh, kw, stride, top, bottom, left, right, si, zpi, so, zpo))
            else:
                if oc != c:
                    fail("depth multiplier > 1 is not supported by the harness")
                lines.append("depthwise %d %d %d %d %d %d %d %d %d %d %d %d %.9g %d %.9g %d" % (
                    out["index"], src["index"], h, w, c, kh, kw, stride, top, bottom, left, right, si, zpi, so, zpo))
        elif op == "ADD":
            a, b = ins[0], ins[1]
            if a["shape"] != b["shape"]:
                fail("broadcasting ADD is not supported by the harness")
            (s1, z1), (s2, z2), (so, zo) = quant(a), quant(b), quant(out)
            lines.append("add %d %d %d %d %.9g %d %.9g %d %.9g %d" % (out["index"], a["index"], b["index"],
                                                                       elements(a["shape"]), s1, z1, s2, z2, so, zo))
        elif op in ("MEAN", "AVERAGE_POOL_2D"):
            _, h, w, c = src["shape"]
            if elements(out["shape"]) != c:
                fail(op + " that is not a global average is not supported by the harness")
            (si, zi), (so, zo) = quant(src), quant(out)
            lines.append("mean %d %d %d %d %.9g %d %.9g %d" % (out["index"], src["index"], h * w, c, si, zi, so, zo))
        elif op == "FULLY_CONNECTED":
            units, depth = ins[1]["shape"]
            if elements(src["shape"]) != depth:
                fail("batched FULLY_CONNECTED is not supported by the harness")
            (si, zi), (so, zo) = quant(src), quant(out)
            lines.append("fc %d %d %d %d %.9g %d %.9g %d" % (out["index"], src["index"], depth, units, si, zi, so, zo))
        elif op == "SOFTMAX":
            lines.append("softmax %d %d %d %.9g" % (out["index"], src["index"], elements(src["shape"]), quant(src)[0]))
        elif op == "DEQUANTIZE":
            s, zp = quant(src)
            lines.append("dequantize %d %d %d %.9g %d" % (out["index"], src["index"], elements(src["shape"]), s, zp))
        elif op in ("RESHAPE", "SQUEEZE"):
            lines.append("# %s: a view, no work" % op)
        else:
            fail("operator %s is not supported by the harness" % op)
    return lines


def cpu_description():
    model, flags = "unknown", []
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name") and model == "unknown":
                model = line.split(":", 1)[1].strip()
            if line.startswith("flags") and not flags:
                flags = line.split(":", 1)[1].split()
    keep = [x for x in flags if x in ("avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512_vnni", "avx_vnni")]
    return model, keep


def run(cmd, stdin=None):
    p = subprocess.run(cmd, input=stdin, capture_output=True, text=True)
    if p.returncode != 0:
        fail("%s failed: %s" % (" ".join(cmd), (p.stderr or p.stdout).strip()))
    return p.stdout


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    data = os.environ.get("POTACC_DATA", os.path.join(ROOT, "..", "shared", "data"))
    ap.add_argument("--potacc", default=os.path.join(ROOT, "build", "potacc"))
    ap.add_argument("--model", default=os.path.join(data, "models", "potacc", "potacc_benchmark_mobilenetv2.tflite"))
    ap.add_argument("--cpu", type=int, default=0, help="core both programs are pinned to")
    ap.add_argument("--trials", type=int, default=7)
    ap.add_argument("--repeat", type=int, default=30, help="inferences per trial")
    ap.add_argument("--warmup", type=int, default=5, help="XNNPACK inferences before timing (potacc: median)")
    ap.add_argument("--isa", default="", help="potacc --isa (default: the best the CPU runs)")
    ap.add_argument("--json", default="")
    args = ap.parse_args()
    for path, what in ((args.potacc, "potacc (build it first)"), (args.model, "model")):
        if not os.path.exists(path):
            fail("%s not found: %s" % (what, path))
    if not os.path.exists("/usr/include/xnnpack.h"):
        fail("XNNPACK headers missing: apt-get install libxnnpack-dev libpthreadpool-dev")
    if not 1 <= args.trials <= 1000 or not 1 <= args.repeat <= 100000:
        fail("--trials must be 1..1000 and --repeat 1..100000")

    work = tempfile.mkdtemp(prefix="potacc-xnnpack-")
    try:
        harness = os.path.join(work, "xnnpack_graph")
        run(["c++", "-O2", "-std=c++17", os.path.join(ROOT, "bench", "xnnpack", "xnnpack_graph.cc"), "-o", harness,
             "-lXNNPACK", "-lpthreadpool", "-lpthread"])
        info_path = os.path.join(work, "info.json")
        run([args.potacc, "info", args.model, "--json", info_path])
        with open(info_path) as f:
            spec = "\n".join(graph_lines(json.load(f))) + "\n"
        pin = ["taskset", "-c", str(args.cpu)] if shutil.which("taskset") else []
        potacc_cmd = pin + [args.potacc, "run", args.model, "--repeat", str(args.repeat),
                            "--json", os.path.join(work, "run.json")] + (["--isa", args.isa] if args.isa else [])
        xnn_cmd = pin + [harness, str(args.warmup), str(args.repeat)]
        trials = {"potacc": [], "xnnpack": []}
        ops = {}
        isa = ""
        for t in range(args.trials):  # alternate, so both see the same machine state
            run(potacc_cmd)
            with open(os.path.join(work, "run.json")) as f:
                entry = json.load(f)["inputs"][0]
            isa = entry["isa"]
            trials["potacc"].append((statistics.median(entry["times_ms"]), statistics.median(entry["cpu_times_ms"])))
            out = run(xnn_cmd, stdin=spec)
            times = [tuple(map(float, l.split()[1:3])) for l in out.splitlines() if l.startswith("inference ")]
            trials["xnnpack"].append((statistics.median(x[0] for x in times), statistics.median(x[1] for x in times)))
            print("trial %d/%d: potacc %.3f ms, XNNPACK %.3f ms (thread CPU time, median of %d)" % (
                t + 1, args.trials, trials["potacc"][-1][1], trials["xnnpack"][-1][1], args.repeat), flush=True)
        # The split per operator type, from separate runs (reading the clock
        # between nodes costs a little, so the timed trials do not).
        for _ in range(3):
            run(potacc_cmd + ["--profile"])
            with open(os.path.join(work, "run.json")) as f:
                for op, ms in json.load(f)["inputs"][0]["operators_ms"].items():
                    ops.setdefault(op, []).append(ms["cpu_ms"])
    finally:
        shutil.rmtree(work, ignore_errors=True)

    med = {k: (statistics.median(x[0] for x in v), statistics.median(x[1] for x in v)) for k, v in trials.items()}
    model, flags = cpu_description()
    load = os.getloadavg()[0]
    print()
    print("CPU: %s (%s), %d processor(s), load %.1f, pinned to core %d" % (model, " ".join(flags), os.cpu_count(),
                                                                         load, args.cpu))
    print("model: %s (%d operators), potacc ISA %s" % (os.path.basename(args.model), spec.count("\n"), isa))
    print("%-10s %12s %12s" % ("", "CPU ms", "wall ms"))
    for k in ("potacc", "xnnpack"):
        print("%-10s %12.3f %12.3f" % (k, med[k][1], med[k][0]))
    ratio_cpu, ratio_wall = med["potacc"][1] / med["xnnpack"][1], med["potacc"][0] / med["xnnpack"][0]
    print("ratio potacc / XNNPACK: %.3f (CPU time), %.3f (wall)" % (ratio_cpu, ratio_wall))
    print()
    print("potacc per operator type (CPU ms per inference, median of 3 profiled runs):")
    op_med = {op: statistics.median(v) for op, v in ops.items()}
    for op, ms in sorted(op_med.items(), key=lambda kv: -kv[1]):
        print("  %-20s %8.3f" % (op, ms))
    if args.json:
        report = {"cpu": model, "cpu_flags": flags, "load_average": load, "core": args.cpu, "model": args.model,
                  "potacc_isa": isa, "trials": args.trials, "repeat": args.repeat,
                  "potacc_ms": {"cpu": med["potacc"][1], "wall": med["potacc"][0]},
                  "xnnpack_ms": {"cpu": med["xnnpack"][1], "wall": med["xnnpack"][0]},
                  "ratio": {"cpu": ratio_cpu, "wall": ratio_wall}, "potacc_operators_ms": op_med,
                  "per_trial": trials}
        tmp = args.json + ".tmp"
        with open(tmp, "w") as f:
            json.dump(report, f, indent=1)
        os.replace(tmp, args.json)


if __name__ == "__main__":
    main()
