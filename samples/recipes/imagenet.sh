#!/usr/bin/env bash
# ImageNet (ILSVRC CLS-LOC): every command of the SCOUTER seed README for this data set, in order, translated
# ("python train.py" -> "scouter train", "python test.py" -> "scouter explain",
#  "python torchcam_vis.py" -> "scouter cam"). Flags and --dataset_dir are exactly the seed's.
# Run from the folder the seed's relative --dataset_dir paths start at.
# Set SCOUTER to a published binary to skip "dotnet run"; default: the CLI sample in Release.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
SCOUTER="${SCOUTER:-dotnet run -c Release --project $here/../Scouter.Cli --}"

# Training for Imagenet dataset (Base Model)
$SCOUTER train --dataset ImageNet --model resnest26d --batch_size 70 --epochs 20 \
--num_classes 10 --use_slot false \
--vis false --channel 2048 --freeze_layers 0 \
--dataset_dir ../data/imagenet/ILSVRC/Data/CLS-LOC/

# Positive Scouter for Imagenet dataset
$SCOUTER train --dataset ImageNet --model resnest26d --batch_size 70 --epochs 20 \
--num_classes 10 --use_slot true --use_pre false --loss_status 1 --slots_per_class 1 \
--power 2 --to_k_layer 3 --lambda_value 1 --vis false --channel 2048 --freeze_layers 0 \
--dataset_dir ../data/imagenet/ILSVRC/Data/CLS-LOC/

# Negative Scouter for Imagenet dataset
$SCOUTER train --dataset ImageNet --model resnest26d --batch_size 70 --epochs 20 \
--num_classes 10 --use_slot true --use_pre false --loss_status -1 --slots_per_class 1 \
--power 2 --to_k_layer 3 --lambda_value 1 --vis false --channel 2048 --freeze_layers 0 \
--dataset_dir ../data/imagenet/ILSVRC/Data/CLS-LOC/

# Visualization of Positive Scouter for Imagenet dataset
$SCOUTER explain --dataset ImageNet --model resnest26d --batch_size 70 --epochs 20 \
--num_classes 10 --use_slot true --use_pre false --loss_status 1 --slots_per_class 1 \
--power 2 --to_k_layer 3 --lambda_value 1 --vis true --channel 2048 --freeze_layers 0 \
--dataset_dir ../data/imagenet/ILSVRC/Data/CLS-LOC/

# Visualization of Negative Scouter for Imagenet dataset
$SCOUTER explain --dataset ImageNet --model resnest26d --batch_size 70 --epochs 20 \
--num_classes 10 --use_slot true --use_pre false --loss_status -1 --slots_per_class 1 \
--power 2 --to_k_layer 3 --lambda_value 1 --vis true --channel 2048 --freeze_layers 0 \
--dataset_dir ../data/imagenet/ILSVRC/Data/CLS-LOC/

# Visualization using torchcam for Imagenet dataset
$SCOUTER cam --dataset ImageNet --model resnest26d --batch_size 70 \
--num_classes 10 --grad true --use_pre true \
--dataset_dir ../data/imagenet/ILSVRC/Data/CLS-LOC/ \
--grad_min_level 0
