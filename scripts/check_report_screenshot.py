#!/usr/bin/env python3
"""Checks that a headless-Chromium screenshot of an HTML report shows every picture the report embeds.

Usage: /usr/bin/python3 check_report_screenshot.py report.html screenshot.png

Each <img> of the report is a base64 PNG data URI shown at an integer multiple of its size with
image-rendering: pixelated, so the screenshot must contain the picture, scaled by that factor with
nearest-neighbour, pixel for pixel. The script looks for each picture at every position where its
top-left colour occurs and reports how many pictures it found exactly. Exit code 0 when all are found.
Needs Pillow and NumPy (Debian: python3-pil, python3-numpy).
"""
import base64
import io
import re
import sys

import numpy as np
from PIL import Image


def main(html_path, screenshot_path):
    html = open(html_path, encoding="utf-8").read()
    shot = np.asarray(Image.open(screenshot_path).convert("RGB")).astype(np.int16)
    tags = re.findall(r'<img width="(\d+)"[^>]*src="data:image/png;base64,([^"]+)"', html)
    if not tags:
        print("FAIL: the report embeds no images")
        return 1

    found = 0
    for index, (width, data) in enumerate(tags):
        picture = np.asarray(Image.open(io.BytesIO(base64.b64decode(data))).convert("RGB")).astype(np.int16)
        scale = int(width) // picture.shape[1]
        if scale * picture.shape[1] != int(width):
            print(f"image {index}: shown at width {width}, not a multiple of {picture.shape[1]}; skipped")
            continue
        expected = picture.repeat(scale, axis=0).repeat(scale, axis=1)
        h, w = expected.shape[:2]
        ys, xs = np.nonzero(np.all(shot[: shot.shape[0] - h + 1, : shot.shape[1] - w + 1] == expected[0, 0], axis=2))
        hit = next(((y, x) for y, x in zip(ys, xs) if np.array_equal(shot[y:y + h, x:x + w], expected)), None)
        if hit is None:
            print(f"image {index}: {picture.shape[1]}x{picture.shape[0]} at {scale}x NOT found")
        else:
            found += 1
            print(f"image {index}: {picture.shape[1]}x{picture.shape[0]} at {scale}x found at x={hit[1]}, y={hit[0]}")

    print(f"{found} of {len(tags)} embedded images found pixel-exact in the screenshot")
    return 0 if found == len(tags) else 1


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__)
        sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[2]))
