#!/usr/bin/env python3
"""Checks that PyTorch accepts the checkpoints Scouter.Core writes (.NET -> file -> PyTorch).

Run with Debian's system PyTorch:  /usr/bin/python3 verify_csharp_exports.py

csharp_export_slot.pth and csharp_export_fc.pth were written by Scouter.Core's OfficialCheckpoint.Write from
ScouterModels that loaded scouter_tiny_checkpoint.pth / scouter_tiny_no_slot_checkpoint.pth (test
OfficialCheckpointTests.Write_ProducesTheExportPyTorchVerified, which also pins their bytes). This script:
  * torch.load()s each file (plain pickle rules, as the official train.py does),
  * checks the checkpoint layout train.py resumes from: model, epoch, args (an argparse.Namespace),
  * builds the official-structured model of make_interop_fixtures.py and loads the exported state dict with
    load_state_dict(strict=True): every key present, no extra key, every shape equal,
  * checks the re-created slot.to_q.0 (unused by the forward pass) has PyTorch's default Linear-init range,
  * runs the fixture images and compares the log-probabilities with the ones PyTorch computed from the original
    checkpoint (scouter_tiny_expected.json), to 1e-5 relative.
It prints one line per check and exits non-zero on any failure.
"""
import argparse
import json
import math
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from make_interop_fixtures import FcModel, SlotModel  # noqa: E402

torch.set_num_threads(1)


def main():
    with open(os.path.join(HERE, 'scouter_tiny_expected.json')) as f:
        expected = json.load(f)
    images = torch.tensor(expected['images']['values']).reshape(expected['images']['shape'])
    failures = 0
    for file, cls, key, epoch in [('csharp_export_slot.pth', SlotModel, 'slot_log_probs', 7),
                                  ('csharp_export_fc.pth', FcModel, 'fc_log_probs', 4)]:
        ckpt = torch.load(os.path.join(HERE, file))
        assert set(ckpt.keys()) == {'model', 'epoch', 'args'}, ckpt.keys()
        assert ckpt['epoch'] == epoch, ckpt['epoch']
        args = ckpt['args']
        assert isinstance(args, argparse.Namespace), type(args)
        model = cls(args)
        result = model.load_state_dict(ckpt['model'], strict=True)
        assert not result.missing_keys and not result.unexpected_keys, result
        if cls is SlotModel:
            d = args.hidden_dim
            w, b = ckpt['model']['slot.to_q.0.weight'], ckpt['model']['slot.to_q.0.bias']
            assert w.shape == (d, d) and b.shape == (d,)
            assert w.abs().max() <= 1 / math.sqrt(d) and b.abs().max() <= 1 / math.sqrt(d)
        model.eval()
        with torch.no_grad():
            logp = model(images)
        want = torch.tensor(expected[key]['values']).reshape(expected[key]['shape'])
        err = ((logp - want).abs() / want.abs()).max().item()
        ok = err <= 1e-5
        failures += not ok
        print(f'{file}: torch.load ok, args {type(args).__name__} (model={args.model}, use_slot={args.use_slot}), '
              f'epoch {ckpt["epoch"]}, load_state_dict(strict=True) ok ({len(ckpt["model"])} entries), '
              f'max relative error of log-probabilities {err:.2e} -> {"OK" if ok else "FAIL"}')
    print(f'torch {torch.__version__}: {"all checks passed" if failures == 0 else f"{failures} FAILED"}')
    sys.exit(1 if failures else 0)


if __name__ == '__main__':
    main()
