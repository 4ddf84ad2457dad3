#!/usr/bin/env python3
"""Reference fixtures for Scouter.Core's backbones (docs/official-implementation.md section 4).

Run with Debian's system PyTorch (python3-torch 1.13, python3-torchvision 0.14):
    /usr/bin/python3 make_backbone_fixtures.py
Writes the JSON files next to this script. Nothing here is needed at test time.

timm is not packaged in Debian, so ResNeSt-26d / ResNeSt-50d are re-implemented below from
timm's source (pytorch-image-models: timm/models/resnest.py, timm/layers/split_attn.py,
timm/models/resnet.py: ResNet deep stem, make_blocks, downsample_avg), keeping every module
name, so state_dict() keys are timm's. The script asserts the spec's parameter and entry
counts (17,069,448 / 260 and 27,483,240 / 476 with 1000 classes) before writing anything.

Files:
  resnest26d_keys.json, resnest50d_keys.json, resnet18_keys.json, resnet50_keys.json
      every state-dict entry (name, shape) in order, plus parameter/entry counts;
      ResNets come from torchvision, which keeps PyTorch's names.
  resnest26d_forward.json, resnest50d_forward.json
      a forward pass in eval mode with every state-dict tensor set by the closed-form
      formula in fill_deterministic(), reproduced in C# by the tests (10 classes).
  torchvision_feature_parameters.json
      parameters of every TorchVision ResNet-family model without fc (what the feature extractor keeps).
  freeze_counts.json
      trainable/total parameter counts of the feature extractors (everything before global
      pooling) after the official freeze_layers rule, k = 0..4, for resnet18, resnest26d,
      resnest50d.
  strided_forward.json
      feature maps at output stride 16 and 8 (eval mode, weights and input by formula):
      resnest26d with timm's output_stride (make_blocks: dilated SplitAttn, AvgPool2dSame in the
      shortcut, no avd pool in dilated stages), resnet50 with torchvision's own
      replace_stride_with_dilation, and resnet18 dilated by timm's rule (torchvision's BasicBlock
      refuses dilation; timm's BasicBlock dilates conv1 by the first dilation and conv2 by the
      stage's). For bottleneck networks the script checks that timm's rule applied to torchvision's
      modules gives exactly torchvision's replace_stride_with_dilation output.
"""
import json
import math
import os

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

torch.set_num_threads(1)
OUT_DIR = os.path.dirname(os.path.abspath(__file__))


# --------------------------------------------------------------------------------------
# timm's ResNeSt, re-implemented (names as in timm)
# --------------------------------------------------------------------------------------
def make_divisible(v, divisor=8, min_value=None, round_limit=0.9):
    """timm.layers.helpers.make_divisible."""
    min_value = min_value or divisor
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if new_v < round_limit * v:
        new_v += divisor
    return new_v


class RadixSoftmax(nn.Module):
    def __init__(self, radix, cardinality):
        super().__init__()
        self.radix = radix
        self.cardinality = cardinality

    def forward(self, x):
        batch = x.size(0)
        if self.radix > 1:
            x = x.view(batch, self.cardinality, self.radix, -1).transpose(1, 2)
            x = F.softmax(x, dim=1)
            x = x.reshape(batch, -1)
        else:
            x = torch.sigmoid(x)
        return x


class SplitAttn(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size=3, stride=1, padding=1, dilation=1,
                 groups=1, radix=2, rd_ratio=0.25, rd_divisor=8):
        super().__init__()
        self.radix = radix
        mid_chs = out_channels * radix
        attn_chs = make_divisible(in_channels * radix * rd_ratio, min_value=32, divisor=rd_divisor)
        self.conv = nn.Conv2d(in_channels, mid_chs, kernel_size, stride, padding, dilation,
                              groups=groups * radix, bias=False)
        self.bn0 = nn.BatchNorm2d(mid_chs)
        self.drop = nn.Identity()
        self.act0 = nn.ReLU(inplace=True)
        self.fc1 = nn.Conv2d(out_channels, attn_chs, 1, groups=groups)
        self.bn1 = nn.BatchNorm2d(attn_chs)
        self.act1 = nn.ReLU(inplace=True)
        self.fc2 = nn.Conv2d(attn_chs, mid_chs, 1, groups=groups)
        self.rsoftmax = RadixSoftmax(radix, groups)

    def forward(self, x):
        x = self.conv(x)
        x = self.bn0(x)
        x = self.drop(x)
        x = self.act0(x)
        B, RC, H, W = x.shape
        if self.radix > 1:
            x = x.reshape((B, self.radix, RC // self.radix, H, W))
            x_gap = x.sum(dim=1)
        else:
            x_gap = x
        x_gap = x_gap.mean((2, 3), keepdim=True)
        x_gap = self.fc1(x_gap)
        x_gap = self.bn1(x_gap)
        x_gap = self.act1(x_gap)
        x_attn = self.fc2(x_gap)
        x_attn = self.rsoftmax(x_attn).view(B, -1, 1, 1)
        if self.radix > 1:
            out = (x * x_attn.reshape((B, self.radix, RC // self.radix, 1, 1))).sum(dim=1)
        else:
            out = x * x_attn
        return out.contiguous()


class ResNestBottleneck(nn.Module):
    expansion = 4

    def __init__(self, inplanes, planes, stride=1, downsample=None, radix=2, cardinality=1,
                 base_width=64, avd=True, avd_first=False, is_first=False, dilation=1, first_dilation=None):
        super().__init__()
        group_width = int(planes * (base_width / 64.0)) * cardinality
        first_dilation = first_dilation or dilation
        if avd and (stride > 1 or is_first):
            avd_stride = stride
            stride = 1
        else:
            avd_stride = 0
        self.radix = radix
        self.conv1 = nn.Conv2d(inplanes, group_width, kernel_size=1, bias=False)
        self.bn1 = nn.BatchNorm2d(group_width)
        self.act1 = nn.ReLU(inplace=True)
        self.avd_first = nn.AvgPool2d(3, avd_stride, padding=1) if avd_stride > 0 and avd_first else None
        self.conv2 = SplitAttn(group_width, group_width, kernel_size=3, stride=stride, padding=first_dilation,
                               dilation=first_dilation, groups=cardinality, radix=radix)
        self.bn2 = nn.Identity()
        self.drop_block = nn.Identity()
        self.act2 = nn.Identity()
        self.avd_last = nn.AvgPool2d(3, avd_stride, padding=1) if avd_stride > 0 and not avd_first else None
        self.conv3 = nn.Conv2d(group_width, planes * 4, kernel_size=1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * 4)
        self.act3 = nn.ReLU(inplace=True)
        self.downsample = downsample

    def forward(self, x):
        shortcut = x
        out = self.act1(self.bn1(self.conv1(x)))
        if self.avd_first is not None:
            out = self.avd_first(out)
        out = self.act2(self.drop_block(self.bn2(self.conv2(out))))
        if self.avd_last is not None:
            out = self.avd_last(out)
        out = self.bn3(self.conv3(out))
        if self.downsample is not None:
            shortcut = self.downsample(x)
        out += shortcut
        return self.act3(out)


def get_same_padding(x, kernel_size, stride, dilation):
    """timm.layers.padding.get_same_padding (TensorFlow 'SAME')."""
    return max((math.ceil(x / stride) - 1) * stride + (kernel_size - 1) * dilation + 1 - x, 0)


class AvgPool2dSame(nn.AvgPool2d):
    """timm.layers.pool2d_same.AvgPool2dSame: pad_same (zeros, the odd pixel after), then average pooling
    without padding, so the padded zeros count in the average."""

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
        super().__init__((kernel_size, kernel_size), (stride, stride), (0, 0), ceil_mode, count_include_pad)

    def forward(self, x):
        ih, iw = x.size()[-2:]
        pad_h = get_same_padding(ih, self.kernel_size[0], self.stride[0], 1)
        pad_w = get_same_padding(iw, self.kernel_size[1], self.stride[1], 1)
        x = F.pad(x, (pad_w // 2, pad_w - pad_w // 2, pad_h // 2, pad_h - pad_h // 2), value=0)
        return F.avg_pool2d(x, self.kernel_size, self.stride, self.padding, self.ceil_mode, self.count_include_pad)


def downsample_avg(in_channels, out_channels, stride, dilation=1):
    """timm.models.resnet.downsample_avg (kernel_size 1)."""
    avg_stride = stride if dilation == 1 else 1
    if stride == 1 and dilation == 1:
        pool = nn.Identity()
    else:
        avg_pool_fn = AvgPool2dSame if avg_stride == 1 and dilation > 1 else nn.AvgPool2d
        pool = avg_pool_fn(2, avg_stride, ceil_mode=True, count_include_pad=False)
    return nn.Sequential(pool, nn.Conv2d(in_channels, out_channels, 1, stride=1, padding=0, bias=False),
                         nn.BatchNorm2d(out_channels))


def timm_stage_layouts(output_stride):
    """timm.models.resnet.make_blocks: (stride, dilation, first_dilation) of each of the four stages."""
    assert output_stride in (8, 16, 32)
    layouts = []
    net_stride, dilation = 4, 1
    for stage_idx in range(4):
        prev_dilation = dilation
        stride = 1 if stage_idx == 0 else 2
        if net_stride >= output_stride:
            dilation *= stride
            stride = 1
        else:
            net_stride *= stride
        layouts.append((stride, dilation, prev_dilation))
    return layouts


class ResNeSt(nn.Module):
    """timm ResNet(block=ResNestBottleneck, stem_type='deep', stem_width=32, avg_down=True,
    base_width=64, cardinality=1, block_args=dict(radix=2, avd=True, avd_first=False))."""

    def __init__(self, layers, num_classes=1000, in_chans=3, stem_width=32, output_stride=32):
        super().__init__()
        inplanes = stem_width * 2
        self.conv1 = nn.Sequential(
            nn.Conv2d(in_chans, stem_width, 3, stride=2, padding=1, bias=False),
            nn.BatchNorm2d(stem_width),
            nn.ReLU(inplace=True),
            nn.Conv2d(stem_width, stem_width, 3, stride=1, padding=1, bias=False),
            nn.BatchNorm2d(stem_width),
            nn.ReLU(inplace=True),
            nn.Conv2d(stem_width, inplanes, 3, stride=1, padding=1, bias=False))
        self.bn1 = nn.BatchNorm2d(inplanes)
        self.act1 = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        layouts = timm_stage_layouts(output_stride)
        for stage_idx, (planes, num_blocks) in enumerate(zip((64, 128, 256, 512), layers)):
            stride, dilation, prev_dilation = layouts[stage_idx]
            downsample = None
            if stride != 1 or inplanes != planes * 4:
                downsample = downsample_avg(inplanes, planes * 4, stride, dilation)
            blocks = []
            for block_idx in range(num_blocks):
                blocks.append(ResNestBottleneck(inplanes, planes, stride if block_idx == 0 else 1,
                                                downsample if block_idx == 0 else None,
                                                dilation=dilation, first_dilation=prev_dilation))
                prev_dilation = dilation
                inplanes = planes * 4
            self.add_module(f"layer{stage_idx + 1}", nn.Sequential(*blocks))
        self.num_features = 512 * 4
        self.global_pool = nn.AdaptiveAvgPool2d(1)  # timm: SelectAdaptivePool2d, no parameters
        self.fc = nn.Linear(self.num_features, num_classes)

    def forward_features(self, x):
        x = self.maxpool(self.act1(self.bn1(self.conv1(x))))
        return self.layer4(self.layer3(self.layer2(self.layer1(x))))

    def forward(self, x):
        return self.fc(self.global_pool(self.forward_features(x)).flatten(1))


def resnest26d(**kw):
    return ResNeSt([2, 2, 2, 2], **kw)


def resnest50d(**kw):
    return ResNeSt([3, 4, 6, 3], **kw)


# --------------------------------------------------------------------------------------
# Deterministic weights (reproduced in C#: tests/.../Backbones/DeterministicWeights.cs)
# --------------------------------------------------------------------------------------
def name_seed(name):
    """Order-independent integer seed of a state-dict name."""
    return sum((k + 1) * ord(c) for k, c in enumerate(name)) % 1000


def fill_deterministic(model):
    """Every floating-point state-dict entry t, element j (row-major): s = sin(0.37*seed + 1.3*j)
    computed in float64, then
      rank >= 2 weights (conv, linear):  s / sqrt(fan_in), fan_in = numel / shape[0]
      '*.running_var':                   0.5 + 0.25 * (1 + s)
      BN '*.weight' (rank 1):            1 + 0.2 * s
      '*.bias', '*.running_mean':        0.1 * s
    num_batches_tracked is left alone."""
    with torch.no_grad():
        for name, t in model.state_dict().items():
            if not t.is_floating_point():
                continue
            j = torch.arange(t.numel(), dtype=torch.float64)
            s = torch.sin(0.37 * name_seed(name) + 1.3 * j)
            if t.dim() >= 2:
                fan_in = t.numel() // t.shape[0]
                v = s / math.sqrt(fan_in)
            elif name.endswith("running_var"):
                v = 0.5 + 0.25 * (1.0 + s)
            elif name.endswith("weight"):
                v = 1.0 + 0.2 * s
            else:
                v = 0.1 * s
            t.copy_(v.to(t.dtype).reshape(t.shape))


def deterministic_input(shape):
    """x[j] = sin(0.11 * j) for the flat index j (row-major), float64 then float32."""
    n = 1
    for d in shape:
        n *= d
    return torch.sin(0.11 * torch.arange(n, dtype=torch.float64)).float().reshape(shape)


# --------------------------------------------------------------------------------------
# Official SCOUTER freeze rule (sloter/slot_model.py, SlotModel.dfs_freeze)
# --------------------------------------------------------------------------------------
def freeze_layers(module, k):
    unfreeze = ["layer4", "layer3", "layer2", "layer1"][: 4 - k]
    for name, child in module.named_children():
        if k != 0 and not any(u in name for u in unfreeze):
            for p in child.parameters():
                p.requires_grad = False


def counts(module):
    total = sum(p.numel() for p in module.parameters())
    trainable = sum(p.numel() for p in module.parameters() if p.requires_grad)
    return trainable, total


def features_only(model):
    """Everything before global pooling, parameters shared."""
    children = []
    for name, child in model.named_children():
        if name in ("avgpool", "global_pool"):
            break
        children.append((name, child))
    from collections import OrderedDict
    return nn.Sequential(OrderedDict(children))


# --------------------------------------------------------------------------------------
# Dilated torchvision ResNets
# --------------------------------------------------------------------------------------
def dilate_like_timm(model, output_stride):
    """Applies timm's make_blocks rule to a torchvision ResNet in place: strides, dilations and paddings of
    the 3x3 convolutions (BasicBlock: conv1 by the first dilation, conv2 by the stage's; Bottleneck: conv2 by
    the first dilation) and of the shortcut projections. Parameters are untouched."""
    for stage_idx, (stride, dilation, prev_dilation) in enumerate(timm_stage_layouts(output_stride)):
        for block_idx, block in enumerate(getattr(model, f"layer{stage_idx + 1}")):
            first = block_idx == 0
            first_dilation = prev_dilation if first else dilation
            block_stride = stride if first else 1
            if isinstance(block, torchvision.models.resnet.BasicBlock):
                convs = ((block.conv1, block_stride, first_dilation), (block.conv2, 1, dilation))
            else:
                convs = ((block.conv2, block_stride, first_dilation),)
            for conv, conv_stride, conv_dilation in convs:
                conv.stride = (conv_stride, conv_stride)
                conv.dilation = (conv_dilation, conv_dilation)
                conv.padding = (conv_dilation, conv_dilation)
            if block.downsample is not None:
                block.downsample[0].stride = (block_stride, block_stride)
    return model


def torchvision_dilated(name, output_stride):
    """torchvision's own replace_stride_with_dilation for output stride 16 or 8 (bottleneck networks only)."""
    replace = {32: [False, False, False], 16: [False, False, True], 8: [False, True, True]}[output_stride]
    return getattr(torchvision.models, name)(replace_stride_with_dilation=replace)


def strided_case(model_name, output_stride, model, x, logits=None):
    with torch.no_grad():
        feats = model(x)
    slice_channels = 8
    case = {
        "model": model_name,
        "output_stride": output_stride,
        "input_shape": list(x.shape),
        "features_shape": list(feats.shape),
        "feature_channel_means": rounded(feats.mean((0, 2, 3))),
        "feature_spatial_means": rounded(feats.mean((0, 1))),
        "feature_slice_channels": slice_channels,
        "feature_slice": rounded(feats[:, :slice_channels]),
    }
    if logits is not None:
        case["logits"] = rounded(logits)
    return case


def strided_fixtures():
    input_shape = [1, 3, 50, 42]
    x = deterministic_input(input_shape)
    cases = []
    for output_stride in (16, 8):
        model = resnest26d(num_classes=10, output_stride=output_stride)
        fill_deterministic(model)
        model.eval()
        with torch.no_grad():
            logits = model(x)
        cases.append(strided_case("resnest26d", output_stride, features_only(model), x, logits))

    for output_stride in (16, 8):
        reference = torchvision_dilated("resnet50", output_stride)
        fill_deterministic(reference)
        reference.eval()
        ours = dilate_like_timm(torchvision.models.resnet50(), output_stride)
        ours.load_state_dict(reference.state_dict())
        ours.eval()
        with torch.no_grad():
            assert torch.equal(features_only(reference)(x), features_only(ours)(x)), \
                "timm's rule must be torchvision's replace_stride_with_dilation for bottlenecks"
        cases.append(strided_case("resnet50", output_stride, features_only(reference), x))

    resnet18 = dilate_like_timm(torchvision.models.resnet18(), 8)
    fill_deterministic(resnet18)
    resnet18.eval()
    cases.append(strided_case("resnet18", 8, features_only(resnet18), x))

    for case in cases:
        expected_side = {16: (4, 3), 8: (7, 6)}[case["output_stride"]]
        assert tuple(case["features_shape"][2:]) == expected_side, (case["model"], case["features_shape"])
    write("strided_forward.json", {
        "description": "eval mode, weights and input by formula (see make_backbone_fixtures.py); features are "
                       "everything before global pooling",
        "cases": cases,
    })


# --------------------------------------------------------------------------------------
def write(name, payload):
    path = os.path.join(OUT_DIR, name)
    with open(path, "w") as f:
        json.dump(payload, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {name} ({os.path.getsize(path)} bytes)")


def key_list(model, source):
    sd = model.state_dict()
    return {
        "source": source,
        "parameters": sum(p.numel() for p in model.parameters()),
        "entries": len(sd),
        "keys": [[k, list(v.shape)] for k, v in sd.items()],
    }


def rounded(t):
    return [float(f"{v:.7g}") for v in t.detach().double().flatten().tolist()]


def main():
    expected = {"resnest26d": (17_069_448, 260), "resnest50d": (27_483_240, 476)}
    builders = {"resnest26d": resnest26d, "resnest50d": resnest50d}
    for name, build in builders.items():
        model = build(num_classes=1000)
        payload = key_list(model, f"timm {name} re-implemented in make_backbone_fixtures.py, 1000 classes")
        assert (payload["parameters"], payload["entries"]) == expected[name], (name, payload["parameters"], payload["entries"])
        with torch.no_grad():
            feats = model.eval().forward_features(torch.zeros(1, 3, 260, 260))
        assert list(feats.shape) == [1, 2048, 9, 9], feats.shape
        write(f"{name}_keys.json", payload)

    for name, build in (("resnet18", torchvision.models.resnet18), ("resnet50", torchvision.models.resnet50)):
        model = build(num_classes=1000)
        write(f"{name}_keys.json", key_list(model, f"torchvision {torchvision.__version__} {name}, 1000 classes"))

    tv_names = ["resnet18", "resnet34", "resnet50", "resnet101", "resnet152", "resnext50_32x4d", "resnext101_32x8d",
                "resnext101_64x4d", "wide_resnet50_2", "wide_resnet101_2"]
    tv_counts = {}
    for name in tv_names:
        model = getattr(torchvision.models, name)()
        tv_counts[name] = {"channels": model.fc.in_features,
                           "parameters": sum(p.numel() for k, p in model.named_parameters() if not k.startswith("fc."))}
    write("torchvision_feature_parameters.json", {"source": f"torchvision {torchvision.__version__}", "models": tv_counts})

    # Forward parity: odd, non-square input so ceil_mode / count_include_pad of the average
    # pools and the padding of the avd pools all matter.
    input_shape = [1, 3, 50, 42]
    x = deterministic_input(input_shape)
    for name, build in builders.items():
        torch.manual_seed(0)
        model = build(num_classes=10)
        fill_deterministic(model)
        model.eval()
        with torch.no_grad():
            feats = model.forward_features(x)
            logits = model.fc(model.global_pool(feats).flatten(1))
            stem = model.maxpool(model.act1(model.bn1(model.conv1(x))))
        payload = {
            "description": f"{name}, 10 classes, eval mode, weights and input by formula (see make_backbone_fixtures.py)",
            "input_shape": input_shape,
            "num_classes": 10,
            "stem_shape": list(stem.shape),
            "stem_channel_means": rounded(stem.mean((0, 2, 3))),
            "features_shape": list(feats.shape),
            "feature_channel_means": rounded(feats.mean((0, 2, 3))),
            "logits": rounded(logits),
        }
        if name == "resnest26d":
            payload["features"] = rounded(feats)
        write(f"{name}_forward.json", payload)

    freeze = {"rule": "official freeze_layers: k = 0 freezes nothing; else children whose name contains none of "
                      "['layer4','layer3','layer2','layer1'][:4-k] get requires_grad = False",
              "models": {}}
    for name, build in (("resnet18", lambda: torchvision.models.resnet18(num_classes=1000)),
                        ("resnest26d", lambda: resnest26d(num_classes=1000)),
                        ("resnest50d", lambda: resnest50d(num_classes=1000))):
        rows = []
        for k in range(5):
            extractor = features_only(build())
            freeze_layers(extractor, k)
            trainable, total = counts(extractor)
            rows.append({"k": k, "trainable": trainable, "total": total})
        freeze["models"][name] = rows
    write("freeze_counts.json", freeze)

    strided_fixtures()


if __name__ == "__main__":
    main()
