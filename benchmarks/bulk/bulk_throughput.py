#!/usr/bin/env python3
"""Times `scouter explain --jsonl` end to end, several builds or settings interleaved, and summarises.

    /usr/bin/python3 benchmarks/bulk/bulk_throughput.py --checkpoint m64.pth --img-size 64 --images 1000 \
        --small 200 --reps 3 --threads 1 \
        --side "before=/tmp/base/samples/Scouter.Cli/bin/Release/net10.0/scouter.dll" \
        --side "before-plain=/tmp/base/samples/Scouter.Cli/bin/Release/net10.0/scouter.dll --channels_last false" \
        --side "after=samples/Scouter.Cli/bin/Release/net10.0/scouter.dll" --reference before [--isa avx2]

A side is NAME=DLL followed by any extra flags for that side, and ENV:NAME=VALUE words for its environment. Every
repetition runs each side once over --images validation images of the Synthetic data set (order rotating between
repetitions), and once more over --small images when given: the difference between the two runs is the cost of the
images alone (start-up, checkpoint loading and the JIT compiler's work are counted once per process in both).

Each run is one process under /usr/bin/time: wall time, user and system CPU time. On a shared machine the CPU time
with --threads 1 is the comparable figure (waiting for a core is not counted); wall times are reported too. Speed-up =
reference's CPU time / side's CPU time, per repetition (adjacent runs see similar load), median [range]. The JSON
Lines written by each side in the first repetition are compared with the reference's: byte-identical or the largest
probability difference.
"""
import argparse
import base64
import json
import os
import re
import shlex
import statistics
import subprocess
import sys
import tempfile


def parse_side(text):
    name, _, rest = text.partition("=")
    words = shlex.split(rest)
    if not name or not words:
        raise SystemExit(f"--side expects NAME=DLL [flags] [ENV:K=V]; got {text!r}")
    env = dict(w[4:].split("=", 1) for w in words[1:] if w.startswith("ENV:"))
    flags = [w for w in words[1:] if not w.startswith("ENV:")]
    return {"name": name, "dll": words[0], "flags": flags, "env": env}


def run(side, args, images, out, base_env):
    env = dict(base_env)
    env.update(side["env"])
    cmd = ["dotnet", side["dll"], "explain", "--checkpoint", args.checkpoint, "--dataset", "Synthetic",
           "--img_size", str(args.img_size), "--synthetic_train", "64", "--synthetic_val", str(images),
           "--batch_size", str(args.batch_size), "--threads", str(args.threads), "--jsonl", out,
           "--overwrite", "true"] + side["flags"]
    with tempfile.NamedTemporaryFile("r", suffix=".time") as timing:
        proc = subprocess.run(["/usr/bin/time", "-o", timing.name, "-f", "%e %U %S"] + cmd,
                              capture_output=True, text=True, env=env)
        if proc.returncode != 0:
            sys.stderr.write(proc.stdout + proc.stderr)
            raise SystemExit(f"{side['name']}: exit code {proc.returncode}")
        wall, user, system = (float(v) for v in timing.read().split()[-3:])
    text = proc.stdout + proc.stderr
    # The console wraps long lines: match across line breaks (the layout line is followed by the "Loaded" line).
    rate = re.findall(r"explained now in [0-9.]+\s+s,\s+([0-9.]+)\s+images/s", text)
    layout = re.findall(r"Convolution layout: (.+?)\nLoaded ", text, re.S)
    return {"side": side["name"], "images": images, "wall_s": wall, "cpu_s": user + system, "user_s": user,
            "sys_s": system, "cli_images_per_s": float(rate[-1]) if rate else None,
            "layout": " ".join(layout[-1].split()) if layout else None}


def compare(path, reference):
    with open(path, "rb") as a, open(reference, "rb") as b:
        x, y = a.read(), b.read()
    if x == y:
        return "byte-identical"
    lines_a, lines_b = x.splitlines(), y.splitlines()
    if len(lines_a) != len(lines_b):
        return f"differs ({len(lines_a)} lines against {len(lines_b)})"
    worst = 0.0
    steps = 0
    other_ids = other_classes = 0
    for la, lb in zip(lines_a, lines_b):
        ra, rb = json.loads(la), json.loads(lb)
        worst = max(worst, max(abs(u - v) for u, v in zip(ra["probabilities"], rb["probabilities"])))
        other_ids += ra["id"] != rb["id"]
        other_classes += ra["prediction"] != rb["prediction"] or [m["class"] for m in ra["maps"]] != [m["class"] for m in rb["maps"]]
        for ma, mb in zip(ra["maps"], rb["maps"]):
            pixels = zip(base64.b64decode(ma["map"]), base64.b64decode(mb["map"]))
            steps = max(steps, max(abs(u - v) for u, v in pixels))
    return (f"differs (largest probability difference {worst:.2g}, largest 8-bit map difference {steps}, "
            f"{other_ids} lines with another id, {other_classes} with another prediction or explained classes)")


def spread(values, fmt):
    values = sorted(values)
    return f"{fmt.format(statistics.median(values))} [{fmt.format(values[0])}–{fmt.format(values[-1])}]"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--side", action="append", required=True, help="NAME=DLL [flags] [ENV:K=V]")
    p.add_argument("--reference", help="the side speed-ups are taken against (default: the first)")
    p.add_argument("--checkpoint", required=True)
    p.add_argument("--img-size", type=int, required=True)
    p.add_argument("--images", type=int, default=1000)
    p.add_argument("--small", type=int, default=0, help="also run over this many images, for the cost per image alone")
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--isa", choices=["avx2"], help="cap LibTorch's kernels at AVX2 (oneDNN and ATen)")
    p.add_argument("--workdir", default=tempfile.gettempdir())
    p.add_argument("--out", help="append raw JSON lines here")
    args = p.parse_args()

    sides = [parse_side(s) for s in args.side]
    reference = args.reference or sides[0]["name"]
    env = dict(os.environ)
    if args.isa == "avx2":
        env.update(ONEDNN_MAX_CPU_ISA="AVX2", DNNL_MAX_CPU_ISA="AVX2", ATEN_CPU_CAPABILITY="avx2")
    results = []
    outputs = {}
    for rep in range(args.reps):
        order = sides[rep % len(sides):] + sides[:rep % len(sides)]
        for side in order:
            out = os.path.join(args.workdir, f"bulk_{side['name']}.jsonl")
            r = run(side, args, args.images, out, env)
            if args.small:
                r["small"] = run(side, args, args.small, out + ".small", env)
            r["rep"] = rep
            results.append(r)
            if rep == 0:
                outputs[side["name"]] = out
            print(json.dumps(r), file=sys.stderr, flush=True)
            if args.out:
                with open(args.out, "a") as f:
                    f.write(json.dumps(dict(r, isa=args.isa or "native", img_size=args.img_size)) + "\n")

    n = args.images
    print(f"{n} images at {args.img_size} px, batch {args.batch_size}, {args.threads} thread(s), "
          f"kernels {args.isa or 'native'}, {args.reps} interleaved repetitions; reference {reference}")
    print("| side | CPU s | CPU ms/image | images per CPU s | CPU ms/image, images only | wall s | "
          "speed-up (CPU) | speed-up (wall) | output | layout |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for side in sides:
        mine = [r for r in results if r["side"] == side["name"]]
        refs = {r["rep"]: r for r in results if r["side"] == reference}
        cpu = [r["cpu_s"] for r in mine]
        marginal = [(r["cpu_s"] - r["small"]["cpu_s"]) * 1000 / (n - args.small) for r in mine if "small" in r]
        speed = [refs[r["rep"]]["cpu_s"] / r["cpu_s"] for r in mine]
        speed_wall = [refs[r["rep"]]["wall_s"] / r["wall_s"] for r in mine]
        output = "reference" if side["name"] == reference else compare(outputs[side["name"]], outputs[reference])
        print(f"| {side['name']} | {spread(cpu, '{:.2f}')} | {statistics.median(cpu) * 1000 / n:.2f} | "
              f"{n / statistics.median(cpu):.0f} | {spread(marginal, '{:.2f}') if marginal else '—'} | "
              f"{spread([r['wall_s'] for r in mine], '{:.1f}')} | {spread(speed, '{:.2f}')} | "
              f"{spread(speed_wall, '{:.2f}')} | {output} | {mine[-1]['layout'] or '(not logged)'} |")


if __name__ == "__main__":
    main()
