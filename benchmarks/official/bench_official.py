#!/usr/bin/env python3
"""Times the official SCOUTER model (training step and eval forward) with Debian's PyTorch 1.13.

Run with the system Python:  /usr/bin/python3 benchmarks/official/bench_official.py --config mnist260 --head slot

The model is the official SlotModel (github.com/wbw520/scouter, sloter/slot_model.py) rebuilt from parts this
repository already re-implements: the xSlot head's SlotAttention and PositionEmbeddingSine as in
tests/Scouter.Core.Tests/Fixtures/make_fixtures.py (here without its debug captures, which the official module
does not make), torchvision's resnet18 (conv1 replaced by the MNIST stem for one input channel, as the official
load_backbone does) and timm's ResNeSt-26d from tests/.../Fixtures/Backbones/make_backbone_fixtures.py.
The step is the official engine's: zero_grad, forward with target, loss.backward(), AdamW step, loss.item().

Prints one JSON object: median/min/max milliseconds per training step and per eval forward, peak RSS, threads.
"""
import argparse
import importlib.util
import json
import math
import os
import platform
import statistics
import sys
import time
from collections import OrderedDict

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "..", "tests", "Scouter.Core.Tests", "Fixtures", "Backbones")

# name -> (backbone, input channels, image size, batch, classes, slots per class, backbone channels)
CONFIGS = {
    "mnist260": ("resnet18", 1, 260, 8, 10, 1, 512),
    "r18_64": ("resnet18", 3, 64, 32, 10, 3, 512),
    "resnest260": ("resnest26d", 3, 260, 4, 10, 1, 2048),
    # small configurations for quick checks
    "mnist64": ("resnet18", 1, 64, 8, 10, 1, 512),
}


# --------------------------------------------------------------------------------------------------
# Official head (sloter/utils/position_encode.py, sloter/utils/slot_attention.py, sloter/slot_model.py)
# --------------------------------------------------------------------------------------------------
# The official head is written out again here rather than imported from the fixture generator
# (tests/.../Fixtures/make_fixtures.py): that copy clones debug tensors on every iteration, which would
# add work to the official side of a timing comparison.
class PositionEmbeddingSine(nn.Module):
    def __init__(self, num_pos_feats=64, temperature=10000, normalize=False, scale=None):
        super().__init__()
        self.num_pos_feats = num_pos_feats
        self.temperature = temperature
        self.normalize = normalize
        self.scale = 2 * math.pi if scale is None else scale

    def forward(self, x):
        b, c, h, w = x.shape
        mask = torch.zeros((b, h, w), dtype=torch.bool, device=x.device)
        not_mask = ~mask
        y_embed = not_mask.cumsum(1, dtype=torch.float32)
        x_embed = not_mask.cumsum(2, dtype=torch.float32)
        if self.normalize:
            eps = 1e-6
            y_embed = y_embed / (y_embed[:, -1:, :] + eps) * self.scale
            x_embed = x_embed / (x_embed[:, :, -1:] + eps) * self.scale
        dim_t = torch.arange(self.num_pos_feats, dtype=torch.float32, device=x.device)
        dim_t = self.temperature ** (2 * (dim_t // 2) / self.num_pos_feats)
        pos_x = x_embed[:, :, :, None] / dim_t
        pos_y = y_embed[:, :, :, None] / dim_t
        pos_x = torch.stack((pos_x[:, :, :, 0::2].sin(), pos_x[:, :, :, 1::2].cos()), dim=4).flatten(3)
        pos_y = torch.stack((pos_y[:, :, :, 0::2].sin(), pos_y[:, :, :, 1::2].cos()), dim=4).flatten(3)
        return torch.cat((pos_y, pos_x), dim=3).permute(0, 3, 1, 2)


class SlotAttention(nn.Module):
    def __init__(self, num_classes, slots_per_class, dim, iters=3, eps=1e-8, loss_status=1, power=1, to_k_layer=1):
        super().__init__()
        self.num_classes = num_classes
        self.slots_per_class = slots_per_class
        self.num_slots = num_classes * slots_per_class
        self.iters = iters
        self.eps = eps
        self.scale = dim ** -0.5
        self.loss_status = loss_status
        slots_mu = torch.randn(1, 1, dim)
        slots_sigma = torch.randn(1, 1, dim)
        mu = slots_mu.expand(1, self.num_slots, -1)
        sigma = slots_sigma.expand(1, self.num_slots, -1)
        self.initial_slots = nn.Parameter(torch.normal(mu, sigma.abs()))
        self.to_q = nn.Sequential(nn.Linear(dim, dim))
        layers = [nn.Linear(dim, dim)]
        for _ in range(1, to_k_layer):
            layers.append(nn.ReLU(inplace=True))
            layers.append(nn.Linear(dim, dim))
        self.to_k = nn.Sequential(*layers)
        self.gru = nn.GRU(dim, dim)
        self.power = power

    def forward(self, inputs, inputs_x):
        b, n, d = inputs.shape
        slots = self.initial_slots.expand(b, -1, -1)
        k, v = self.to_k(inputs), inputs
        for _ in range(self.iters):
            slots_prev = slots
            q = slots
            dots = torch.einsum('bid,bjd->bij', q, k) * self.scale
            dots = torch.div(dots, dots.sum(2).expand_as(dots.permute([2, 0, 1])).permute([1, 2, 0])) * \
                dots.sum(2).sum(1).expand_as(dots.permute([1, 2, 0])).permute([2, 0, 1])
            attn = torch.sigmoid(dots)
            updates = torch.einsum('bjd,bij->bid', inputs_x, attn)
            updates = updates / inputs_x.size(2)
            slots, _ = self.gru(updates.reshape(1, -1, d), slots_prev.reshape(1, -1, d))
            slots = slots.reshape(b, -1, d)
        if self.slots_per_class > 1:
            new_updates = torch.zeros((updates.size(0), self.num_classes, updates.size(-1)))
            for slot_class in range(self.num_classes):
                new_updates[:, slot_class] = torch.sum(
                    updates[:, self.slots_per_class * slot_class: self.slots_per_class * (slot_class + 1)], dim=1, keepdim=False)
            updates = new_updates.to(updates.device)
        attn_relu = torch.relu(attn)
        slot_loss = torch.sum(attn_relu) / attn.size(0) / attn.size(1) / attn.size(2)
        return self.loss_status * torch.sum(updates, dim=2, keepdim=False), torch.pow(slot_loss, self.power)


class SlotModel(nn.Module):
    def __init__(self, backbone, use_slot, channel, num_classes, slots_per_class, hidden_dim=64, power=2,
                 to_k_layer=1, lambda_value=1.0, loss_status=1):
        super().__init__()
        self.use_slot = use_slot
        self.backbone = backbone
        if use_slot:
            self.channel = channel
            self.conv1x1 = nn.Conv2d(channel, hidden_dim, kernel_size=(1, 1), stride=(1, 1))
            self.slot = SlotAttention(num_classes, slots_per_class, hidden_dim, loss_status=loss_status, power=power,
                                      to_k_layer=to_k_layer)
            self.position_emb = PositionEmbeddingSine(hidden_dim // 2, normalize=True)
            self.lambda_value = float(lambda_value)

    def forward(self, x, target=None):
        x = self.backbone(x)
        if self.use_slot:
            # official: x.view(x.size(0), self.channel, 9, 9); the map size is read from the tensor here
            x = self.conv1x1(x.view(x.size(0), self.channel, x.size(2), x.size(3)))
            x = torch.relu(x)
            pe = self.position_emb(x)
            x_pe = x + pe
            b, n, r, c = x.shape
            x = x.reshape((b, n, -1)).permute((0, 2, 1))
            x_pe = x_pe.reshape((b, n, -1)).permute((0, 2, 1))
            x, attn_loss = self.slot(x_pe, x)
        output = F.log_softmax(x, dim=1)
        if target is not None:
            if self.use_slot:
                loss = F.nll_loss(output, target) + self.lambda_value * attn_loss
                return [output, [loss, F.nll_loss(output, target), attn_loss]]
            return [output, [F.nll_loss(output, target)]]
        return output


def load_resnest():
    spec = importlib.util.spec_from_file_location("make_backbone_fixtures", os.path.join(FIXTURES, "make_backbone_fixtures.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build_backbone(name, in_channels, use_slot, num_classes):
    """official load_backbone: the classifier with the MNIST stem swapped in; for SCOUTER pool and fc become identities."""
    if name == "resnet18":
        bone = torchvision.models.resnet18(num_classes=num_classes)
        pool_name = "avgpool"
    elif name == "resnest26d":
        bone = load_resnest().resnest26d(num_classes=num_classes, in_chans=in_channels)
        pool_name = "global_pool"
    else:
        raise SystemExit(f"unknown backbone {name}")
    if in_channels == 1:
        bone.conv1 = nn.Conv2d(1, 64, kernel_size=3, stride=2, padding=1, bias=False)
    if use_slot:
        setattr(bone, pool_name, nn.Identity())
        bone.fc = nn.Identity()
        # torchvision's forward flattens after the pool; the official timm model does not, so cut before it
        children = [(n, c) for n, c in bone.named_children() if n not in (pool_name, "fc")]
        bone = nn.Sequential(OrderedDict(children))
    return bone


def vm_kib(field):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def profile(model, optimizer, images, labels, warmup, steps):
    """Median ms of each phase of the official step; the head is everything SlotModel.forward does after the backbone."""
    phases = {k: [] for k in ("backbone", "head", "loss", "backward", "zero_grad+step", "item")}
    for i in range(warmup + steps):

        def mark(name, start):
            if i >= warmup:
                phases[name].append((time.perf_counter() - start) * 1000.0)
            return time.perf_counter()

        t = time.perf_counter()
        features = model.backbone(images)
        t = mark("backbone", t)
        if model.use_slot:
            x = model.conv1x1(features)
            x = torch.relu(x)
            x_pe = x + model.position_emb(x)
            b, n, r, c = x.shape
            x = x.reshape((b, n, -1)).permute((0, 2, 1))
            x_pe = x_pe.reshape((b, n, -1)).permute((0, 2, 1))
            scores, attn_loss = model.slot(x_pe, x)
        else:
            scores = features
        output = F.log_softmax(scores, dim=1)
        t = mark("head", t)
        loss = F.nll_loss(output, labels)
        if model.use_slot:
            loss = loss + model.lambda_value * attn_loss
        t = mark("loss", t)
        loss.backward()
        t = mark("backward", t)
        optimizer.step()
        optimizer.zero_grad()
        t = mark("zero_grad+step", t)
        loss.item()
        mark("item", t)
    return {k: statistics.median(v) for k, v in phases.items()}


def build_step(config, use_slot):
    backbone_name, in_ch, size, batch, classes, slots, channel = CONFIGS[config]
    model = SlotModel(build_backbone(backbone_name, in_ch, use_slot, classes), use_slot, channel, classes, slots)
    model.train()
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-4, weight_decay=0.01)
    images = torch.randn(batch, in_ch, size, size)
    labels = torch.randint(0, classes, (batch,))

    def step():
        optimizer.zero_grad()
        _, losses = model(images, labels)
        losses[0].backward()
        optimizer.step()
        return losses[0].item()
    return step


def head_overhead(args):
    """FC and SCOUTER steps alternating in one process (FC, SCOUTER, SCOUTER, FC, ...); median of per-pair ratios."""
    fc, slot = build_step(args.config, False), build_step(args.config, True)
    for _ in range(args.warmup):
        fc()
        slot()
    times = {"fc": [], "slot": []}
    for i in range(args.steps):
        for name in (("fc", "slot") if i % 2 == 0 else ("slot", "fc")):
            start = time.perf_counter()
            (fc if name == "fc" else slot)()
            times[name].append((time.perf_counter() - start) * 1000.0)
    ratios = sorted(s / f for s, f in zip(times["slot"], times["fc"]))
    q = statistics.quantiles(ratios, n=4) if len(ratios) > 1 else [ratios[0]] * 3
    return {"side": "official", "config": args.config, "threads": torch.get_num_threads(),
            "fc_train_ms": statistics.median(times["fc"]), "slot_train_ms": statistics.median(times["slot"]),
            "slot_over_fc": statistics.median(ratios), "slot_over_fc_q25": q[0], "slot_over_fc_q75": q[2]}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", choices=sorted(CONFIGS), default="mnist260")
    parser.add_argument("--head", choices=["slot", "fc", "both"], default="slot",
                        help="both: FC and SCOUTER models in this process, steps alternating; prints what the head adds")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--eval-steps", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--profile", action="store_true",
                        help="time the phases of a training step (backbone, head, loss, backward, step, item) instead")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    if args.head == "both":
        print(json.dumps(head_overhead(args)))
        return 0
    backbone_name, in_ch, size, batch, classes, slots, channel = CONFIGS[args.config]
    use_slot = args.head == "slot"
    model = SlotModel(build_backbone(backbone_name, in_ch, use_slot, classes), use_slot, channel, classes, slots)
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=1e-4, weight_decay=0.01)
    images = torch.randn(batch, in_ch, size, size)
    labels = torch.randint(0, classes, (batch,))

    def train_step():
        optimizer.zero_grad()
        output, losses = model(images, labels)
        losses[0].backward()
        optimizer.step()
        return losses[0].item()

    def eval_forward():
        with torch.no_grad():
            return model(images)

    def timed(fn, warmup, count):
        for _ in range(warmup):
            fn()
        times, cpu = [], []
        for _ in range(count):
            cpu_start = time.process_time()
            start = time.perf_counter()
            fn()
            times.append((time.perf_counter() - start) * 1000.0)
            cpu.append((time.process_time() - cpu_start) * 1000.0)
        return times, cpu

    model.train()
    if args.profile:
        print(json.dumps(dict(side="official", config=args.config, head_kind=args.head, threads=torch.get_num_threads(),
                              **profile(model, optimizer, images, labels, args.warmup, args.steps))))
        return 0
    train, train_cpu = timed(train_step, args.warmup, args.steps)
    model.eval()
    evals, evals_cpu = timed(eval_forward, max(1, args.warmup // 2), args.eval_steps)

    def summary(xs):
        return {"median": statistics.median(xs), "min": min(xs), "max": max(xs), "all": [round(x, 2) for x in xs]}

    print(json.dumps({
        "side": "official", "torch": torch.__version__, "python": platform.python_version(),
        "config": args.config, "head": args.head, "backbone": backbone_name, "input_channels": in_ch,
        "image_size": size, "batch": batch, "classes": classes, "slots_per_class": slots,
        "threads": torch.get_num_threads(), "interop_threads": torch.get_num_interop_threads(),
        "mkldnn": torch.backends.mkldnn.is_available(),
        "train_ms": summary(train), "eval_ms": summary(evals),
        "train_cpu_ms": summary(train_cpu), "eval_cpu_ms": summary(evals_cpu),
        "peak_rss_mib": vm_kib("VmHWM") / 1024.0,
    }))


if __name__ == "__main__":
    sys.exit(main())
