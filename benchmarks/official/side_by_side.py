#!/usr/bin/env python3
"""Runs Scouter.Core and the official PyTorch code on the same configurations, interleaved, and summarises.

    dotnet build -c Release benchmarks/Scouter.Benchmarks
    /usr/bin/python3 benchmarks/official/side_by_side.py --configs mnist260,r18_64 --heads slot,fc --reps 3

Each repetition runs, for every configuration and head, one process of ours then one of the official code (order
alternating between repetitions), each with its own warm-up and timed steps, same thread count. The machine may be
shared, so one process's median is noisy; the summary gives per side the median over repetitions of the per-process
medians with their range, and the ratio ours / official as the median of the per-repetition ratios (adjacent runs
see similar load). Raw JSON lines go to --out.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
# glibc malloc settings equivalent to Scouter.Core.Training.NativeAllocator.ReuseFreedMemory()
TUNABLES = "glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=2147483647"
OURS_DLL = os.path.join(ROOT, "benchmarks", "Scouter.Benchmarks", "bin", "Release", "net10.0", "Scouter.Benchmarks.dll")


def run(cmd, env):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--configs", default="mnist260,r18_64,resnest260")
    p.add_argument("--heads", default="slot,fc")
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--eval-steps", type=int, default=10)
    p.add_argument("--out", default=None, help="append raw JSON lines here")
    p.add_argument("--isa", default=None, choices=["avx2"],
                   help="cap both sides' kernels: ONEDNN_MAX_CPU_ISA=AVX2 (oneDNN), ATEN_CPU_CAPABILITY=avx2 (ATen); "
                        "an AVX-512 machine then runs the kernels of an AVX2 one")
    p.add_argument("--sides", default="ours,official",
                   help="comma list of: ours, ours-reuse (NativeAllocator.ReuseFreedMemory), ours-cl (ChannelsLast), "
                        "ours-tuned (both), ours-defaults (what PerformanceDefaults chooses here: the CLI's defaults), "
                        "official, "
                        "official-tunables (the same malloc settings through GLIBC_TUNABLES)")
    p.add_argument("--reference", default="official", help="the side ratios are taken against")
    args = p.parse_args()

    env = dict(os.environ)
    if args.isa == "avx2":
        env.update(ONEDNN_MAX_CPU_ISA="AVX2", DNNL_MAX_CPU_ISA="AVX2", ATEN_CPU_CAPABILITY="avx2")
    common = ["--threads", str(args.threads), "--warmup", str(args.warmup), "--steps", str(args.steps),
              "--eval-steps", str(args.eval_steps)]
    results = {}
    for rep in range(args.reps):
        for config in args.configs.split(","):
            for head in args.heads.split(","):
                sides = args.sides.split(",")
                if rep % 2 == 1:
                    sides = sides[::-1]
                for side in sides:
                    side_env = dict(env)
                    if side.startswith("ours"):
                        cmd = ["dotnet", OURS_DLL, "steps", "--preset", config, "--head", "xslot" if head == "slot" else "fc"] + common
                        if side in ("ours-reuse", "ours-tuned", "ours-defaults"):
                            cmd += ["--reuse-freed-memory", "true"]
                        if side in ("ours-cl", "ours-tuned"):
                            cmd += ["--channels-last", "true"]
                        if side == "ours-defaults":
                            cmd += ["--channels-last", "auto"]
                    else:
                        cmd = ["/usr/bin/python3", os.path.join(HERE, "bench_official.py"), "--config", config, "--head", head] + common
                        if side == "official-tunables":
                            side_env["GLIBC_TUNABLES"] = TUNABLES
                    r = run(cmd, side_env)
                    r["rep"] = rep
                    results.setdefault((config, head), {}).setdefault(side, []).append(r)
                    print(f"rep {rep} {config:10s} {head:4s} {side:17s} train {r['train_ms']['median']:8.1f} ms  "
                          f"eval {r['eval_ms']['median']:8.1f} ms  cpu/step {r['train_cpu_ms']['median']:8.1f} ms  rss {r['peak_rss_mib']:.0f} MiB", flush=True)
                    if args.out:
                        with open(args.out, "a") as f:
                            f.write(json.dumps(r) + "\n")

    print(f"\nsummary: median over repetitions of per-process medians [min-max]; "
          f"ratio = median of per-repetition side/{args.reference} [min-max]")
    for (config, head), sides in results.items():
        for metric in ("train_ms", "eval_ms", "train_cpu_ms", "eval_cpu_ms"):
            print(f"{config} {head} {metric}")
            reference = [r[metric]["median"] for r in sides.get(args.reference, [])]
            for side, runs in sides.items():
                values = [r[metric]["median"] for r in runs]
                line = f"    {side:17s} {statistics.median(values):8.1f} [{min(values):.0f}-{max(values):.0f}]"
                if reference and side != args.reference:
                    ratios = [v / f for v, f in zip(values, reference)]
                    line += f"  ratio {statistics.median(ratios):.3f} [{min(ratios):.3f}-{max(ratios):.3f}]"
                print(line)


if __name__ == "__main__":
    sys.exit(main())
