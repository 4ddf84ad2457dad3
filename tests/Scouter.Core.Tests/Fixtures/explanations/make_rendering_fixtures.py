#!/usr/bin/env python3
"""Reference numbers for Scouter.Core's explanation rendering (Explanations/Rendering).

Run with Debian's system Python (python3-torch, python3-pil, python3-matplotlib, python3-opencv):
    /usr/bin/python3 make_rendering_fixtures.py            writes rendering.json next to this script
    /usr/bin/python3 make_rendering_fixtures.py --tables   prints the OpenCV-jet and viridis tables as hex, the
                                                           strings embedded in Rendering/ColormapTables.cs

What is pinned down, and by which independent implementation:
  * OpenCV's COLORMAP_JET lookup table: cv2.applyColorMap on a 0..255 ramp, BGR turned to RGB.
  * matplotlib's 'jet' as the official SCOUTER visualisation uses it (sloter/utils/vis.py,
    apply_colormap_on_image): colormap of a uint8 map, times 255, truncated by astype(np.uint8).
  * matplotlib's 'viridis', rounded to 8 bits.
  * PIL's bilinear resize of a uint8 map (up and down, non-square), as the official test.py
    resizes the 8-bit slot map to the image size before colouring it.
  * The official overlay end to end: the slot-attention map of one image normalised jointly over
    classes and cast to uint8 with torch (official SlotAttention vis code), resized by PIL,
    coloured with matplotlib's jet, and alpha-composited at 0.4 over the image with PIL's
    Image.alpha_composite (apply_colormap_on_image, verbatim logic).
  * The baseline path of the official torchcam_vis.py: a float mask in [0, 1] at image size,
    np.uint8(255 * mask), then the same colour-and-composite step.
"""
import copy
import json
import os
import sys

import cv2
import matplotlib
import matplotlib.cm as mpl_color_map
import numpy as np
import PIL
import torch
from PIL import Image

OUT_DIR = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20240601)


def apply_colormap_on_image(org_im, activation, colormap_name):
    """The official sloter/utils/vis.py function, same steps."""
    color_map = mpl_color_map.get_cmap(colormap_name)
    no_trans_heatmap = color_map(activation)
    heatmap = copy.copy(no_trans_heatmap)
    heatmap[:, :, 3] = 0.4
    heatmap = Image.fromarray((heatmap * 255).astype(np.uint8))
    heatmap_on_image = Image.new("RGBA", org_im.size)
    heatmap_on_image = Image.alpha_composite(heatmap_on_image, org_im.convert('RGBA'))
    heatmap_on_image = Image.alpha_composite(heatmap_on_image, heatmap)
    return heatmap_on_image


ramp = np.arange(256, dtype=np.uint8).reshape(1, 256)
if "--tables" in sys.argv:
    print(cv2.applyColorMap(ramp, cv2.COLORMAP_JET)[0][:, ::-1].tobytes().hex().upper())
    print(np.round(mpl_color_map.get_cmap('viridis')(np.arange(256))[:, :3] * 255).astype(np.uint8).tobytes().hex().upper())
    sys.exit(0)

tensors = {}

tensors["lut.opencv_jet"] = cv2.applyColorMap(ramp, cv2.COLORMAP_JET)[0][:, ::-1]
tensors["lut.matplotlib_jet"] = (mpl_color_map.get_cmap('jet')(np.arange(256))[:, :3] * 255).astype(np.uint8)
tensors["lut.viridis"] = np.round(mpl_color_map.get_cmap('viridis')(np.arange(256))[:, :3] * 255).astype(np.uint8)

# PIL bilinear resize cases: (h, w) -> (H, W)
for name, (h, w, H, W) in {"up": (2, 3, 5, 7), "down": (7, 5, 3, 4), "mixed": (4, 6, 9, 4)}.items():
    a = rng.integers(0, 256, (h, w)).astype(np.uint8)
    tensors[f"resize.{name}.input"] = a
    tensors[f"resize.{name}.output"] = np.array(Image.fromarray(a, 'L').resize((W, H), Image.BILINEAR))

# Official SCOUTER overlay, end to end. Image 5x7 RGB, attention of n = 3 classes on a 2x3 map.
H, W, n, h, w = 5, 7, 3, 2, 3
image = rng.integers(0, 256, (H, W, 3)).astype(np.uint8)
attention = torch.tensor(rng.uniform(0.05, 0.95, (n, h, w)), dtype=torch.float32)
slots_vis = ((attention - attention.min()) / (attention.max() - attention.min()) * 255.)
slot_u8 = slots_vis.numpy().astype(np.uint8)
tensors["official.image"] = image.transpose(2, 0, 1)          # CHW
tensors["official.attention"] = attention.numpy()             # [n, h, w]
tensors["official.slot_u8"] = slot_u8                          # [n, h, w]
overlays, resized = [], []
for c in range(n):
    slot_image = np.array(Image.fromarray(slot_u8[c], mode='L').resize((W, H), resample=Image.BILINEAR), dtype=np.uint8)
    resized.append(slot_image)
    out = np.array(apply_colormap_on_image(Image.fromarray(image, 'RGB'), slot_image, 'jet'))
    assert (out[..., 3] == 255).all()
    overlays.append(out[..., :3].transpose(2, 0, 1))
tensors["official.resized_u8"] = np.stack(resized)              # [n, H, W]
tensors["official.overlay"] = np.stack(overlays)                # [n, 3, H, W]

# Baseline path (torchcam_vis.py show_cam_on_image): float mask at image size.
mask = rng.uniform(0, 1, (H, W)).astype(np.float32)
mask[0, 0], mask[1, 1] = 0.0, 1.0
tensors["baseline.mask"] = mask
tensors["baseline.overlay"] = np.array(apply_colormap_on_image(Image.fromarray(image, 'RGB'), np.uint8(255 * mask), 'jet'))[..., :3].transpose(2, 0, 1)
tensors["baseline.gray"] = np.uint8(255 * mask)

lines = ['{',
         f'  "generator": "make_rendering_fixtures.py",',
         f'  "versions": {json.dumps({"torch": torch.__version__, "opencv": cv2.__version__, "matplotlib": matplotlib.__version__, "pillow": PIL.__version__})},',
         '  "config": {},',
         '  "tensors": {']
entries = []
for name, arr in tensors.items():
    arr = np.asarray(arr)
    data = [float(v) for v in arr.reshape(-1)]
    entries.append(f'    {json.dumps(name)}: {{"shape": {json.dumps(list(arr.shape))}, "data": {json.dumps(data)}}}')
lines.append(",\n".join(entries))
lines += ['  }', '}']
with open(os.path.join(OUT_DIR, "rendering.json"), "w") as f:
    f.write("\n".join(lines) + "\n")
print("wrote rendering.json", {k: list(np.asarray(v).shape) for k, v in tensors.items()})
