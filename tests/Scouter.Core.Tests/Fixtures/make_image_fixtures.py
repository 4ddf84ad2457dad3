"""Image fixtures for the data tests, made with Debian's python3-pil (PIL 9.4): run with /usr/bin/python3.

Writes small images in the formats the decoder must read (progressive and CMYK JPEG, RGBA and gray PNG) and
image_fixtures.json with what PIL makes of them: Image.open(f).convert("RGB") / .convert("L") as uint8 CHW, and
Image.resize((w, h), Image.BILINEAR) of the RGB gradient at several sizes (the official transform's resize), and
"model_input": the official validation transform of pattern.png as a model's input (convert to the stem's mode,
resize to img_size, /255, normalise), float32 CHW, for a one-channel MNIST stem and an RGB model.
"""
import json
import os

import numpy as np
from PIL import Image

here = os.path.dirname(os.path.abspath(__file__))
out = os.path.join(here, "Images")
os.makedirs(out, exist_ok=True)

y, x = np.mgrid[0:24, 0:32]
rgb = np.dstack([x * 8, y * 10, 255 - x * 4 - y * 3]).astype(np.uint8)
# A sharper pattern so that resizing has something to smooth.
checker = (((x // 3 + y // 2) % 2) * 200 + 20).astype(np.uint8)
pattern = np.dstack([rgb[..., 0], checker, rgb[..., 2]]).astype(np.uint8)
alpha = np.clip(x * 8 + 10, 0, 255).astype(np.uint8)

base = Image.fromarray(rgb, "RGB")
Image.fromarray(pattern, "RGB").save(os.path.join(out, "pattern.png"))
base.save(os.path.join(out, "gradient.png"))
base.save(os.path.join(out, "progressive.jpg"), quality=95, progressive=True)
base.convert("CMYK").save(os.path.join(out, "cmyk.jpg"), quality=95)
base.convert("L").save(os.path.join(out, "gray.png"))
Image.fromarray(np.dstack([rgb, alpha]), "RGBA").save(os.path.join(out, "rgba.png"))


def chw(image):
    a = np.asarray(image)
    if a.ndim == 2:
        a = a[:, :, None]
    return {"shape": [a.shape[2], a.shape[0], a.shape[1]], "data": a.transpose(2, 0, 1).reshape(-1).tolist()}


fixtures = {"decoded_rgb": {}, "decoded_l": {}, "resized": {}, "model_input": {}}
for name in ["gradient.png", "progressive.jpg", "cmyk.jpg", "gray.png", "rgba.png", "pattern.png"]:
    with Image.open(os.path.join(out, name)) as image:
        fixtures["decoded_rgb"][name] = chw(image.convert("RGB"))
        fixtures["decoded_l"][name] = chw(image.convert("L"))

with Image.open(os.path.join(out, "pattern.png")) as image:
    image = image.convert("RGB")
    for (w, h) in [(10, 7), (13, 13), (64, 48), (20, 30)]:
        fixtures["resized"][f"{w}x{h}"] = chw(image.resize((w, h), Image.BILINEAR))

normalisations = {"L": ([0.1307], [0.3081]), "RGB": ([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])}
with Image.open(os.path.join(out, "pattern.png")) as image:
    for mode, size in [("L", 20), ("RGB", 13)]:
        mean, std = normalisations[mode]
        a = np.asarray(image.convert(mode).resize((size, size), Image.BILINEAR), dtype=np.float32) / 255.0
        a = a.reshape(size, size, -1).transpose(2, 0, 1)
        a = (a - np.array(mean, np.float32)[:, None, None]) / np.array(std, np.float32)[:, None, None]
        fixtures["model_input"][f"{mode}{size}"] = {"shape": list(a.shape), "data": [float(v) for v in a.reshape(-1)]}

with open(os.path.join(here, "image_fixtures.json"), "w") as f:
    json.dump(fixtures, f, separators=(",", ":"))
print("wrote", sorted(os.listdir(out)))
