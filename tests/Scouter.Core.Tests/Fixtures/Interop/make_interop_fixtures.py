#!/usr/bin/env python3
"""Fixtures for Scouter.Core.Interop (reading and writing PyTorch weights).

Run with Debian's system PyTorch:  /usr/bin/python3 make_interop_fixtures.py
Writes, next to this script:

  tiny_state_dict.pth          torch.save of a small state dict: conv / linear / batch-norm tensors, a
                               transposed (non-contiguous) tensor, two views into one storage (one at a
                               storage offset), a non-dense strided view, and one tensor of every dtype
                               Scouter.Core reads.
  tiny_state_dict_protocol5.pth  the same, pickled with protocol 5 instead of torch.save's default 2.
  tiny_state_dict.safetensors  the same tensors (made contiguous), safetensors written by hand: Debian has
                               no `safetensors` package. The byte layout is the format's: 8-byte little-
                               endian header length, JSON header, raw little-endian data.
  tiny_state_dict.json         every tensor's dtype, shape and values (row-major), the expected side.
  scouter_tiny_checkpoint.pth  an official-format SCOUTER checkpoint (train.py's content: model,
                               optimizer, lr_scheduler, epoch, args as an argparse.Namespace) of a tiny
                               SlotModel-like network: negative SCOUTER, d = 8, 3 classes, 2 slots per
                               class, to_k_layer 2, a conv + batch-norm backbone.
  scouter_tiny_no_slot_checkpoint.pth  the FC baseline of the same backbone (backbone.fc.* keys), as the
                               official `{dataset}_no_slot_checkpoint.pth` that use_pre reads.
  scouter_tiny_expected.json   input images and the log-probabilities both models give for them.
  official_args_partial.pth    an official-format checkpoint whose args Namespace lacks img_size, channel,
                               hidden_dim and to_k_layer (the official defaults apply), saved from a DDP
                               wrapper (every key under "module."), with the shapes of a resnet18 MNIST stem and
                               an xSlot head (d = 16, 20 slots, two key layers): only its settings are read.
                               `python3 make_interop_fixtures.py official_args_partial` writes this file alone.
  legacy_format.pth            the pre-1.6 (non-zip) torch.save format, which Scouter.Core refuses.
  unknown_global.pth           a pickle whose object reduces to os.system(...): a reader must keep it
                               inert (and must never run it).

The SlotModel below uses the official head re-implemented in ../make_fixtures.py (SlotAttention,
position embedding, module names), with the official SlotModel layout: backbone, conv1x1, slot.
"""
import argparse
import collections
import json
import os
import struct
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from make_fixtures import ScouterHead  # noqa: E402  (the official head, module names included)

torch.set_num_threads(1)


# --------------------------------------------------------------------------------------
# 1. A tiny state dict with every storage feature torch.save uses
# --------------------------------------------------------------------------------------
def tiny_state_dict():
    torch.manual_seed(5)
    conv = nn.Conv2d(3, 4, 3)
    bn = nn.BatchNorm2d(4)
    bn.train()
    bn(torch.randn(2, 4, 3, 3))  # running stats and num_batches_tracked move away from their defaults
    sd = collections.OrderedDict()
    sd['conv.weight'] = conv.weight.detach()
    sd['conv.bias'] = conv.bias.detach()
    for k, v in bn.state_dict().items():
        sd['bn.' + k] = v
    sd['fc.weight'] = torch.randn(4, 2).t()                  # non-contiguous: stride (1, 2)
    sd['fc.bias'] = torch.randn(2)
    base = torch.arange(10, dtype=torch.float32) * 0.5
    sd['shared.head'] = base[:4]                             # two views into one storage,
    sd['shared.tail'] = base[6:]                             # the second at storage offset 6
    sd['strided.every_other'] = (torch.arange(12, dtype=torch.float32) - 5).reshape(3, 4)[:, ::2]
    sd['dtype.f64'] = torch.tensor([1.0 / 3.0, -2.5e-300, 1e300], dtype=torch.float64)
    sd['dtype.f16'] = torch.tensor([[0.5, -1.25], [65504.0, 6.1035e-05]], dtype=torch.float16)
    sd['dtype.bf16'] = torch.tensor([1.0, -3.140625, 1.0e30], dtype=torch.bfloat16)
    sd['dtype.i64'] = torch.tensor([-(2 ** 40), 7], dtype=torch.int64)
    sd['dtype.i32'] = torch.tensor([-(2 ** 31), 2 ** 31 - 1], dtype=torch.int32)
    sd['dtype.i16'] = torch.tensor([-32768, 12345], dtype=torch.int16)
    sd['dtype.i8'] = torch.tensor([-128, 127, 0], dtype=torch.int8)
    sd['dtype.u8'] = torch.tensor([0, 200, 255], dtype=torch.uint8)
    sd['dtype.bool'] = torch.tensor([True, False, True], dtype=torch.bool)
    sd['dtype.scalar'] = torch.tensor(2.75)
    assert not sd['fc.weight'].is_contiguous()
    assert sd['shared.tail'].storage_offset() == 6
    assert sd['shared.head'].storage().data_ptr() == sd['shared.tail'].storage().data_ptr()
    assert sd['strided.every_other'].stride() == (4, 2)
    return sd


SAFETENSORS_DTYPES = {
    torch.float32: 'F32', torch.float64: 'F64', torch.float16: 'F16', torch.bfloat16: 'BF16',
    torch.int64: 'I64', torch.int32: 'I32', torch.int16: 'I16', torch.int8: 'I8',
    torch.uint8: 'U8', torch.bool: 'BOOL',
}


def tensor_bytes(t):
    t = t.contiguous()
    if t.dtype == torch.bfloat16:  # numpy has no bfloat16: reinterpret the same bits as int16
        return t.view(torch.int16).numpy().tobytes()
    return t.numpy().tobytes()


def write_safetensors(path, sd, metadata):
    header = collections.OrderedDict()
    header['__metadata__'] = metadata
    chunks, offset = [], 0
    for name, t in sd.items():
        data = tensor_bytes(t)
        header[name] = {'dtype': SAFETENSORS_DTYPES[t.dtype], 'shape': list(t.shape),
                        'data_offsets': [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(',', ':')).encode('utf-8')
    text += b' ' * ((8 - len(text) % 8) % 8)  # the reference writer pads the header to 8 bytes
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)))
        f.write(text)
        for c in chunks:
            f.write(c)


def describe(sd):
    out = collections.OrderedDict()
    for name, t in sd.items():
        out[name] = {'dtype': str(t.dtype).replace('torch.', ''), 'shape': list(t.shape),
                     'values': [float(v) for v in t.detach().double().contiguous().view(-1).tolist()]}
    return out


# --------------------------------------------------------------------------------------
# 2. Official-format SCOUTER checkpoints of a tiny model
# --------------------------------------------------------------------------------------
class TinyBackbone(nn.Module):
    """Stands in for the timm/torchvision backbone: conv, bn, relu, and (FC baseline) pool + fc.

    For the slot model the official code replaces global_pool and fc with identities, so the
    backbone then returns the feature map and has no fc parameters."""

    def __init__(self, with_fc, num_classes):
        super().__init__()
        self.conv = nn.Conv2d(3, 6, 3, stride=2, padding=1)
        self.bn = nn.BatchNorm2d(6)
        self.with_fc = with_fc
        if with_fc:
            self.fc = nn.Linear(6, num_classes)

    def forward(self, x):
        x = torch.relu(self.bn(self.conv(x)))
        if self.with_fc:
            x = self.fc(x.mean((2, 3)))
        return x


class SlotModel(ScouterHead):
    """Official SlotModel layout: backbone, conv1x1, slot, position_emb; output log_softmax."""

    def __init__(self, args):
        super().__init__(args.channel, args.hidden_dim, args.num_classes, int(args.slots_per_class),
                         args.loss_status, float(args.power), args.to_k_layer, float(args.lambda_value))
        self.backbone = TinyBackbone(False, args.num_classes)

    def forward(self, x):
        features = self.backbone(x)
        target = torch.zeros(x.shape[0], dtype=torch.long)
        return super().forward(features, target)['log_probs']


class FcModel(nn.Module):
    """Official FC baseline: the backbone with its own fc; output log_softmax."""

    def __init__(self, args):
        super().__init__()
        self.backbone = TinyBackbone(True, args.num_classes)

    def forward(self, x):
        return F.log_softmax(self.backbone(x), dim=1)


def official_args(use_slot):
    """argparse.Namespace with every official train.py flag (docs/official-implementation.md §5), tiny values."""
    p = argparse.ArgumentParser()
    p.add_argument('--model', default='resnet18')
    p.add_argument('--dataset', default='MNIST')
    p.add_argument('--channel', default=512, type=int)
    p.add_argument('--lr', default=0.0001, type=float)
    p.add_argument('--lr_drop', default=70, type=int)
    p.add_argument('--batch_size', default=64, type=int)
    p.add_argument('--weight_decay', default=0.0001, type=float)
    p.add_argument('--epochs', default=10, type=int)
    p.add_argument('--num_classes', default='10', type=str)      # sweep flags are comma lists
    p.add_argument('--img_size', default=260, type=int)
    p.add_argument('--pre_trained', default=True)
    p.add_argument('--use_slot', default=True)
    p.add_argument('--use_pre', default=False)
    p.add_argument('--aug', default=False)
    p.add_argument('--grad', default=False)
    p.add_argument('--grad_min_level', default=0., type=float)
    p.add_argument('--iterated_evaluation_num', default=1, type=int)
    p.add_argument('--cal_area_size', default=False)
    p.add_argument('--thop', default=False)
    p.add_argument('--loss_status', default=1, type=int)
    p.add_argument('--freeze_layers', default=2, type=int)
    p.add_argument('--hidden_dim', default=64, type=int)
    p.add_argument('--slots_per_class', default='3', type=str)
    p.add_argument('--power', default='2', type=str)
    p.add_argument('--to_k_layer', default=1, type=int)
    p.add_argument('--lambda_value', default='1.', type=str)
    p.add_argument('--vis', default=False)
    p.add_argument('--vis_id', default=0, type=int)
    p.add_argument('--dataset_dir', default='../PAN/bird_200/CUB_200_2011/CUB_200_2011/')
    p.add_argument('--output_dir', default='saved_model/')
    p.add_argument('--pre_dir', default='pre_model/')
    p.add_argument('--device', default='cuda')
    p.add_argument('--num_workers', default=4, type=int)
    p.add_argument('--start_epoch', default=0, type=int)
    p.add_argument('--resume', default=False)
    p.add_argument('--world_size', default=1, type=int)
    p.add_argument('--local_rank', type=int)
    p.add_argument('--dist_url', default='env://')
    args = p.parse_args([])
    # What a run's sweep loop leaves in args: one value per sweep flag, typed.
    args.dataset = 'Tiny'
    args.channel = 6
    args.num_classes = 3
    args.hidden_dim = 8
    args.slots_per_class = '2'   # kept as the flag's string, as the sweep loop may leave it
    args.to_k_layer = 2
    args.loss_status = -1
    args.lambda_value = 1.5
    args.power = 1.0
    args.img_size = 10
    args.use_slot = use_slot
    args.device = 'cpu'
    return args


def train_one_step(model, images, labels):
    model.train()
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-4)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 70)
    loss = F.nll_loss(model(images), labels)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    scheduler.step()
    model.eval()
    return optimizer, scheduler


def make_checkpoints():
    torch.manual_seed(20211011)
    images = torch.randn(2, 3, 10, 10)          # backbone stride 2 -> feature map 6 x 5 x 5
    labels = torch.tensor([2, 0])

    slot_args = official_args(True)
    slot_model = SlotModel(slot_args)
    opt, sched = train_one_step(slot_model, images, labels)
    with torch.no_grad():
        slot_logp = slot_model(images)
    slot_ckpt = {'model': slot_model.state_dict(), 'optimizer': opt.state_dict(),
                 'lr_scheduler': sched.state_dict(), 'epoch': 7, 'args': slot_args}
    torch.save(slot_ckpt, os.path.join(HERE, 'scouter_tiny_checkpoint.pth'))

    fc_args = official_args(False)
    fc_model = FcModel(fc_args)
    opt, sched = train_one_step(fc_model, images, labels)
    with torch.no_grad():
        fc_logp = fc_model(images)
    fc_ckpt = {'model': fc_model.state_dict(), 'optimizer': opt.state_dict(),
               'lr_scheduler': sched.state_dict(), 'epoch': 4, 'args': fc_args}
    torch.save(fc_ckpt, os.path.join(HERE, 'scouter_tiny_no_slot_checkpoint.pth'))

    # The round trip through torch.load must give the same outputs (the files are what we think).
    for cls, args, name, expected in [(SlotModel, slot_args, 'scouter_tiny_checkpoint.pth', slot_logp),
                                      (FcModel, fc_args, 'scouter_tiny_no_slot_checkpoint.pth', fc_logp)]:
        m = cls(args)
        m.load_state_dict(torch.load(os.path.join(HERE, name))['model'], strict=True)
        m.eval()
        with torch.no_grad():
            assert torch.equal(m(images), expected)

    keys = list(slot_model.state_dict().keys())
    print('slot model keys:', keys)
    print('fc model keys:', list(fc_model.state_dict().keys()))
    print('slot log-probs:', slot_logp.tolist())
    print('fc log-probs:', fc_logp.tolist())
    expected = {
        'generator': 'make_interop_fixtures.py',
        'torch_version': torch.__version__,
        'images': {'shape': list(images.shape), 'values': images.reshape(-1).tolist()},
        'slot_log_probs': {'shape': list(slot_logp.shape), 'values': slot_logp.reshape(-1).tolist()},
        'fc_log_probs': {'shape': list(fc_logp.shape), 'values': fc_logp.reshape(-1).tolist()},
        'slot_state_dict_keys': keys,
    }
    with open(os.path.join(HERE, 'scouter_tiny_expected.json'), 'w') as f:
        json.dump(expected, f, indent=1)


def make_partial_args_checkpoint():
    torch.manual_seed(7)
    args = argparse.Namespace(model='resnet18', dataset='MNIST', num_classes='10', use_slot=True,
                              slots_per_class='2', loss_status=-1, lambda_value='1.', power='2')
    d = 16
    sd = collections.OrderedDict()
    sd['module.backbone.conv1.weight'] = torch.randn(64, 1, 3, 3)
    sd['module.conv1x1.weight'] = torch.randn(d, 512, 1, 1)
    sd['module.conv1x1.bias'] = torch.randn(d)
    sd['module.slot.initial_slots'] = torch.randn(1, 20, d)
    sd['module.slot.to_q.0.weight'] = torch.randn(d, d)
    sd['module.slot.to_q.0.bias'] = torch.randn(d)
    for i in (0, 2):
        sd[f'module.slot.to_k.{i}.weight'] = torch.randn(d, d)
        sd[f'module.slot.to_k.{i}.bias'] = torch.randn(d)
    torch.save({'model': sd, 'epoch': 3, 'args': args}, os.path.join(HERE, 'official_args_partial.pth'))


# --------------------------------------------------------------------------------------
# 3. Files a reader must refuse or keep inert
# --------------------------------------------------------------------------------------
class RunsACommand:
    def __reduce__(self):
        return (os.system, ('echo this-must-never-run',))


def make_refused_files():
    torch.save({'a': torch.ones(2)}, os.path.join(HERE, 'legacy_format.pth'),
               _use_new_zipfile_serialization=False)
    torch.save({'weight': torch.tensor([1.5, -2.0]), 'payload': RunsACommand(),
                'dtype': torch.float16, 'device': torch.device('cpu')},
               os.path.join(HERE, 'unknown_global.pth'))


def main():
    print(f'torch {torch.__version__}, python {sys.version.split()[0]}')
    sd = tiny_state_dict()
    torch.save(sd, os.path.join(HERE, 'tiny_state_dict.pth'))
    # The same with pickle protocol 5 (FRAME, SHORT_BINUNICODE, STACK_GLOBAL, MEMOIZE opcodes).
    torch.save(sd, os.path.join(HERE, 'tiny_state_dict_protocol5.pth'), pickle_protocol=5)
    contiguous = collections.OrderedDict((k, v.contiguous()) for k, v in sd.items())
    write_safetensors(os.path.join(HERE, 'tiny_state_dict.safetensors'), contiguous,
                      {'format': 'pt', 'source': 'make_interop_fixtures.py'})
    with open(os.path.join(HERE, 'tiny_state_dict.json'), 'w') as f:
        json.dump({'generator': 'make_interop_fixtures.py', 'torch_version': torch.__version__,
                   'tensors': describe(sd)}, f, indent=1)
    # The loaded file must equal what was saved, strides and all.
    back = torch.load(os.path.join(HERE, 'tiny_state_dict.pth'))
    assert all(torch.equal(back[k], sd[k]) for k in sd)
    make_checkpoints()
    make_partial_args_checkpoint()
    make_refused_files()
    for name in sorted(os.listdir(HERE)):
        print(f'  {name:40s} {os.path.getsize(os.path.join(HERE, name))} bytes')


if __name__ == '__main__':
    if sys.argv[1:] == ['official_args_partial']:
        make_partial_args_checkpoint()
    else:
        main()
