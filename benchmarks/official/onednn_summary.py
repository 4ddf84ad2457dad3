#!/usr/bin/env python3
"""Sums oneDNN's verbose log by primitive and implementation: which kernels the convolutions ran on and how long
the layout reorders around them took. Works for oneDNN 2.x (Debian's PyTorch 1.13) and 3.x (TorchSharp's LibTorch).

    ONEDNN_VERBOSE=1 /usr/bin/python3 benchmarks/official/bench_official.py --config mnist260 --threads 1 \
        --warmup 1 --steps 1 --eval-steps 1 | python3 benchmarks/official/onednn_summary.py
    ONEDNN_VERBOSE=1 dotnet benchmarks/Scouter.Benchmarks/bin/Release/net10.0/Scouter.Benchmarks.dll steps \
        --preset mnist260 --threads 1 --warmup 1 --steps 1 --eval-steps 1 | python3 benchmarks/official/onednn_summary.py
"""
import sys, collections
tot = collections.defaultdict(float); cnt = collections.Counter(); info = []
for line in sys.stdin:
    p = line.strip().split(',')
    if not p or p[0] != 'onednn_verbose': continue
    if 'info' in p[:4] and ('oneDNN v' in line or 'isa:' in line): info.append(line.strip()[:120])
    if 'exec' in p[:4]:
        i = p.index('exec')
        prim, impl, prop = p[i + 2], p[i + 3], p[i + 4]
        key = (prim, impl, prop if prim == 'convolution' else '')
        try: tot[key] += float(p[-1]); cnt[key] += 1
        except ValueError: pass
print("\n".join(info))
for k, v in sorted(tot.items(), key=lambda kv: -kv[1]): print(f"{v:10.1f} ms  {cnt[k]:5d}x  {' '.join(k)}")
print(f"total {sum(tot.values()):.1f} ms")
