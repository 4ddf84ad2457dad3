#!/usr/bin/env bash
# MNIST: every command of the SCOUTER seed README for this data set, in order, translated
# ("python train.py" -> "scouter train", "python test.py" -> "scouter explain",
#  "python torchcam_vis.py" -> "scouter cam"). Flags and --dataset_dir are exactly the seed's.
# Run from the folder the seed's relative --dataset_dir paths start at.
# Set SCOUTER to a published binary to skip "dotnet run"; default: the CLI sample in Release.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
SCOUTER="${SCOUTER:-dotnet run -c Release --project $here/../Scouter.Cli --}"

# Pre-training for MNIST dataset
$SCOUTER train --dataset MNIST --model resnet18 --batch_size 64 --epochs 10 \
--num_classes 10 --use_slot false --vis false --aug false

# Positive Scouter for MNIST dataset
$SCOUTER train --dataset MNIST --model resnet18 --batch_size 64 --epochs 10 \
--num_classes 10 --use_slot true --use_pre true --loss_status 1 --slots_per_class 1 \
--power 1 --to_k_layer 1 --lambda_value 1. --vis false --channel 512 --aug false

# Negative Scouter for MNIST dataset
$SCOUTER train --dataset MNIST --model resnet18 --batch_size 64 --epochs 10 \
--num_classes 10 --use_slot true --use_pre false --loss_status -1 --slots_per_class 2 \
--power 2 --to_k_layer 1 --lambda_value 1.5 --vis false --channel 512 --aug false --freeze_layers 3

# Visualization of Positive Scouter for MNIST dataset
$SCOUTER explain --dataset MNIST --model resnet18 --batch_size 64 --epochs 10 \
--num_classes 10 --use_slot true --use_pre true --loss_status 1 --slots_per_class 1 \
--power 1 --to_k_layer 1 --lambda_value 1. --vis true --channel 512 --aug false

# Visualization of Negative Scouter for MNIST dataset
$SCOUTER explain --dataset MNIST --model resnet18 --batch_size 64 --epochs 10 \
--num_classes 10 --use_slot true --use_pre false --loss_status -1 --slots_per_class 2 \
--power 2 --to_k_layer 1 --lambda_value 1.5 --vis true --channel 512 --aug false --freeze_layers 3

# Visualization using torchcam for MNIST dataset
$SCOUTER cam --dataset MNIST --model resnet18 --batch_size 64 \
--num_classes 10 --grad true --use_pre true
