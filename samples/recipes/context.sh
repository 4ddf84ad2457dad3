#!/usr/bin/env bash
# Con-Text: every command of the SCOUTER seed README for this data set, in order, translated
# ("python train.py" -> "scouter train", "python test.py" -> "scouter explain",
#  "python torchcam_vis.py" -> "scouter cam"). Flags and --dataset_dir are exactly the seed's.
# Run from the folder the seed's relative --dataset_dir paths start at.
# Set SCOUTER to a published binary to skip "dotnet run"; default: the CLI sample in Release.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
SCOUTER="${SCOUTER:-dotnet run -c Release --project $here/../Scouter.Cli --}"

# Pre-training for ConText dataset
$SCOUTER train --dataset ConText --model resnest26d --batch_size 200 --epochs 100 \
--num_classes 30 --use_slot false --vis false \
--dataset_dir ../data/con-text/JPEGImages/

# Positive Scouter for ConText dataset
$SCOUTER train --dataset ConText --model resnest26d --batch_size 200 --epochs 100 \
--num_classes 30 --use_slot true --use_pre true --loss_status 1 --slots_per_class 3 \
--power 2 --to_k_layer 3 --lambda_value .2 --vis false --channel 2048 \
--dataset_dir ../data/con-text/JPEGImages/

# Negative Scouter for ConText dataset
$SCOUTER train --dataset ConText --model resnest26d --batch_size 200 --epochs 100 \
--num_classes 30 --use_slot true --use_pre true --loss_status -1 --slots_per_class 3 \
--power 2 --to_k_layer 3 --lambda_value 1. --vis false --channel 2048 \
--dataset_dir ../data/con-text/JPEGImages/

# Visualization of Positive Scouter for ConText dataset
$SCOUTER explain --dataset ConText --model resnest26d --batch_size 200 --epochs 100 \
--num_classes 30 --use_slot true --use_pre true --loss_status 1 --slots_per_class 3 \
--power 2 --to_k_layer 3 --lambda_value 1. --vis true --channel 2048 \
--dataset_dir ../data/con-text/JPEGImages/

# Visualization of Negative Scouter for ConText dataset
$SCOUTER explain --dataset ConText --model resnest26d --batch_size 200 --epochs 100 \
--num_classes 30 --use_slot true --use_pre true --loss_status -1 --slots_per_class 3 \
--power 2 --to_k_layer 3 --lambda_value 1. --vis true --channel 2048 \
--dataset_dir ../data/con-text/JPEGImages/

# Visualization using torchcam for ConText dataset
$SCOUTER cam --dataset ConText --model resnest26d --batch_size 200 \
--num_classes 30 --grad true --use_pre true \
--dataset_dir ../data/con-text/JPEGImages/
