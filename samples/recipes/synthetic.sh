#!/usr/bin/env bash
# The embedded synthetic data set: the seed's recipe (FC pre-training, then SCOUTER from that backbone) and the
# paper's two explanation claims measured on it: SCOUTER+ explanations are more precise than Grad-CAM's on the FC
# model, and the explanation area shrinks as lambda grows (docs/explanations.md, section 7, says which hold at 64 px).
# Needs no files. Set SCOUTER to a published binary to skip "dotnet run"; OUT to choose the output folder.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
SCOUTER="${SCOUTER:-dotnet run -c Release --project $here/../Scouter.Cli --}"
OUT="${OUT:-saved_model/synthetic}"
LAMBDAS="${LAMBDAS:-0.3 1 3 10}"
# 64 px at output stride 32 gives a 2x2 feature map; the paper's 9x9 needs IMG_SIZE=260 (about 16 times the compute)
IMG_SIZE="${IMG_SIZE:-64}"

# FC pre-training of the backbone with the warm-up of section 7's runs (6 epochs at lr 1e-3, the last at 1e-4);
# a direct --use_slot false run would otherwise get the profile's short SCOUTER-stage schedule
$SCOUTER train --dataset Synthetic --img_size "$IMG_SIZE" --use_slot false --epochs 6 --lr 0.001 --lr_drop 5 --output_dir "$OUT"

# SCOUTER+ from that backbone, one run per lambda, each in its own folder next to a copy of the FC checkpoint
for lambda in $LAMBDAS; do
  mkdir -p "$OUT/lambda-$lambda"
  cp "$OUT/Synthetic_no_slot_checkpoint.pth" "$OUT/lambda-$lambda/"
  # section 7's SCOUTER stage (10 slots per class, stride 32, 3 epochs), not today's synthetic profile
  $SCOUTER train --dataset Synthetic --img_size "$IMG_SIZE" --use_slot true --use_pre true --loss_status 1 \
    --slots_per_class 10 --output_stride 32 --epochs 3 --lr_drop 2 --lambda_value "$lambda" --output_dir "$OUT/lambda-$lambda"
  # metrics of SCOUTER+'s own explanations and of Grad-CAM on the FC model, over the same validation images
  $SCOUTER evaluate --dataset Synthetic --img_size "$IMG_SIZE" --output_dir "$OUT/lambda-$lambda" --baselines gradcam \
    --max_images 256 --json "$OUT/lambda-$lambda/evaluation.json"
done
