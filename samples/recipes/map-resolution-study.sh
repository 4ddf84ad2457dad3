#!/usr/bin/env bash
# The map-resolution study (docs/explanations.md, "Choosing map resolution"): does SCOUTER+ find the evidence as
# precisely as Grad-CAM, Grad-CAM++ and Score-CAM on the FC model at the same map size, on the shapes set (one shape
# per image) and on the scene set (two or three shapes; the label is the largest)?
#
# For each data set: the FC baseline at output stride 32 (6 epochs at lr 1e-3, the last at 1e-4), then fine-tuned for two
# more epochs at each finer stride (the weights are the same at every stride); SCOUTER+ (3 epochs) from the FC backbone of the
# same stride for every lambda and slot count; one evaluation of the baselines per FC model and one of each SCOUTER+
# model, on the same validation images. Everything goes to $OUT; results.tsv has one line per model and
# results.md the table. Needs no files. Runs $JOBS trainings at once with $THREADS LibTorch threads each.
#
#   SCOUTER   the CLI (default: dotnet run of samples/Scouter.Cli in Release; a published binary is steadier)
#   OUT       output folder (default saved_model/map-study)
#   SETS      data sets (default "Synthetic SyntheticScenes")
#   STRIDES   output strides (default "32 16 8": 2x2, 4x4 and 8x8 maps at 64 px)
#   LAMBDAS   lambda values (default "1 3 10")
#   SLOTS     slots per class (default "1 10")
#   IMG_SIZE  image side (default 64)
#   BASELINES baseline methods scored on IMAGES images (default "gradcam,gradcam++")
#   IMAGES    validation images scored (default 256)
#   SLOW_BASELINES, SLOW_IMAGES  baselines scored on the first SLOW_IMAGES of those images only (default "scorecam"
#             and 64: Score-CAM runs one forward pass per feature channel, 512 per image for resnet18)
#   JOBS, THREADS  parallel trainings and threads each (default 2 and 1)
#   EXTRA     flags added to every train and evaluate (default none; e.g. "--synthetic_train 64 --synthetic_val 32" for a smoke run)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
SCOUTER="${SCOUTER:-dotnet run -c Release --project $here/../Scouter.Cli --}"
OUT="${OUT:-saved_model/map-study}"
SETS="${SETS:-Synthetic SyntheticScenes}"
STRIDES="${STRIDES:-32 16 8}"
LAMBDAS="${LAMBDAS:-1 3 10}"
SLOTS="${SLOTS:-1 10}"
IMG_SIZE="${IMG_SIZE:-64}"
BASELINES="${BASELINES:-gradcam,gradcam++}"
IMAGES="${IMAGES:-256}"
SLOW_BASELINES="${SLOW_BASELINES:-scorecam}"
SLOW_IMAGES="${SLOW_IMAGES:-64}"
JOBS="${JOBS:-2}"
THREADS="${THREADS:-1}"
EXTRA="${EXTRA:-}"
METRICS="precision,pointing,class_precision,class_pointing"
mkdir -p "$OUT"
export SCOUTER OUT IMG_SIZE BASELINES IMAGES SLOW_BASELINES SLOW_IMAGES THREADS METRICS EXTRA

# Runs a command, appending its wall time in seconds to $1.seconds and its output to $1.log.
timed() {
  local stem="$1"; shift
  local start end
  start=$(date +%s.%N)
  "$@" > "$stem.log" 2>&1 || { echo "failed: $* (see $stem.log)" >&2; return 1; }
  end=$(date +%s.%N)
  echo "$end - $start" | bc >> "$stem.seconds"
}
export -f timed

fc_dir() { echo "$OUT/$1/fc-s$2"; }

# Stage 1: the FC baseline per data set at stride 32, then each finer stride fine-tuned from it (two epochs at 1e-4).
fc_set() {
  local set="$1" coarse fine
  coarse="$(fc_dir "$set" 32)"
  mkdir -p "$coarse"
  [ -f "$coarse/${set}_no_slot_checkpoint.pth" ] || timed "$coarse/train" $SCOUTER train --dataset "$set" --img_size "$IMG_SIZE" \
    --use_slot false --epochs 6 --lr 0.001 --lr_drop 5 --threads "$THREADS" $EXTRA --output_dir "$coarse"
  for stride in $STRIDES; do
    [ "$stride" = 32 ] && continue
    fine="$(fc_dir "$set" "$stride")"
    mkdir -p "$fine"
    if [ ! -f "$fine/${set}_no_slot_checkpoint.pth" ]; then
      cp "$coarse/${set}_no_slot_checkpoint.pth" "$fine/"
      timed "$fine/train" $SCOUTER train --dataset "$set" --img_size "$IMG_SIZE" --use_slot false --epochs 8 --lr 0.001 \
        --lr_drop 5 --resume true --output_stride "$stride" --threads "$THREADS" $EXTRA --output_dir "$fine"
    fi
  done
}
export -f fc_set fc_dir

# Stage 2: SCOUTER+ from the FC backbone of its stride; then its evaluation.
scouter_run() {
  local set="$1" stride="$2" lambda="$3" slots="$4" dir
  dir="$OUT/$set/scouter-s$stride-l$lambda-k$slots"
  mkdir -p "$dir"
  if [ ! -f "$dir/${set}_use_slot_checkpoint.pth" ]; then
    cp "$(fc_dir "$set" "$stride")/${set}_no_slot_checkpoint.pth" "$dir/"
    timed "$dir/train" $SCOUTER train --dataset "$set" --img_size "$IMG_SIZE" --use_slot true --use_pre true --loss_status 1 \
      --lambda_value "$lambda" --slots_per_class "$slots" --output_stride "$stride" --epochs 3 --lr_drop 2 --threads "$THREADS" $EXTRA --output_dir "$dir"
  fi
  [ -f "$dir/evaluation.json" ] || timed "$dir/evaluate" $SCOUTER evaluate --dataset "$set" --img_size "$IMG_SIZE" \
    --baselines none --metrics "$METRICS" --max_images "$IMAGES" --threads "$THREADS" $EXTRA --output_dir "$dir" --json "$dir/evaluation.json"
}
export -f scouter_run

# The baselines on the FC model of each stride (no SCOUTER checkpoint in that folder, so only they are scored).
baseline_eval() {
  local set="$1" stride="$2" dir
  dir="$(fc_dir "$set" "$stride")"
  [ -f "$dir/evaluation.json" ] || timed "$dir/evaluate" $SCOUTER evaluate --dataset "$set" --img_size "$IMG_SIZE" \
    --baselines "$BASELINES" --metrics "$METRICS" --max_images "$IMAGES" --threads "$THREADS" $EXTRA --output_dir "$dir" --json "$dir/evaluation.json"
}
slow_baseline_eval() {
  local set="$1" stride="$2" dir
  dir="$(fc_dir "$set" "$stride")"
  [ -z "$SLOW_BASELINES" ] || [ -f "$dir/evaluation-slow.json" ] || timed "$dir/evaluate-slow" $SCOUTER evaluate --dataset "$set" \
    --img_size "$IMG_SIZE" --baselines "$SLOW_BASELINES" --metrics "$METRICS" --max_images "$SLOW_IMAGES" --threads "$THREADS" $EXTRA \
    --output_dir "$dir" --json "$dir/evaluation-slow.json"
}
export -f baseline_eval slow_baseline_eval

printf '%s\n' $SETS | xargs -P "$JOBS" -I{} bash -c 'fc_set {}'
{
  for set in $SETS; do for stride in $STRIDES; do echo "baseline_eval $set $stride"; done; done
  # The data sets innermost, so that a partial run already compares both at the first strides listed.
  for stride in $STRIDES; do for slots in $SLOTS; do for lambda in $LAMBDAS; do for set in $SETS; do
    echo "scouter_run $set $stride $lambda $slots"; done; done; done; done
  for set in $SETS; do for stride in $STRIDES; do echo "slow_baseline_eval $set $stride"; done; done
} | xargs -P "$JOBS" -I{} bash -c '{}'

# The table: one line per method and model, with the training time (all epochs, wall clock) of the model explained
# and the number of validation images its metrics are over.
results="$OUT/results.tsv"
printf 'set\tmap\tmethod\tlambda\tslots\tval_acc\timages\tarea\tprecision\tpointing\tclass_precision\tclass_pointing\ttrain_s\teval_s\n' > "$results"
for set in $SETS; do
  for stride in $(printf '%s\n' $STRIDES | sort -rn); do
    map="$(( (IMG_SIZE + stride - 1) / stride ))"
    for dir in "$(fc_dir "$set" "$stride")" "$OUT/$set"/scouter-s"$stride"-*; do
      lambda=-; slots=-
      if [[ "$dir" =~ -l([0-9.]+)-k([0-9]+)$ ]]; then lambda="${BASH_REMATCH[1]}"; slots="${BASH_REMATCH[2]}"; fi
      metrics="$dir/${set}_use_slot_metrics.json"
      [ "$lambda" = - ] && metrics="$dir/${set}_no_slot_metrics.json"
      acc="$(jq -r '.[-1].val.accuracy' "$metrics" 2>/dev/null || echo -)"
      train_s="$(paste -sd+ "$dir/train.seconds" 2>/dev/null | bc || echo -)"
      for stem in evaluate evaluate-slow; do
        json="$dir/evaluation.json"
        [ "$stem" = evaluate-slow ] && json="$dir/evaluation-slow.json"
        [ -f "$json" ] || continue
        eval_s="$(paste -sd+ "$dir/$stem.seconds" 2>/dev/null | bc || echo -)"
        jq -r --arg set "$set" --arg map "${map}x${map}" --arg l "$lambda" --arg k "$slots" --arg acc "$acc" --arg t "$train_s" --arg e "$eval_s" \
          '.rows[] | [$set, $map, .method, $l, $k, $acc, .images, .areaSize, .precision, .pointingGame, .classPrecision, .classPointingGame, $t, $e] | map(tostring) | @tsv' \
          "$json" >> "$results"
      done
    done
  done
done
{
  echo "| set | map | method | λ | slots | val acc | images | area ↓ | precision ↑ | pointing ↑ | class precision ↑ | class pointing ↑ | train s | eval s |"
  echo "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  tail -n +2 "$results" | awk -F'\t' '{ for (i = 8; i <= 12; i++) if ($i ~ /^[0-9.e-]+$/) $i = sprintf("%.3f", $i); $6 = ($6 ~ /^[0-9.e-]+$/) ? sprintf("%.3f", $6) : $6; for (i = 13; i <= 14; i++) if ($i ~ /^[0-9.]+$/) $i = sprintf("%.0f", $i); printf "| %s |\n", $1 " | " $2 " | " $3 " | " $4 " | " $5 " | " $6 " | " $7 " | " $8 " | " $9 " | " $10 " | " $11 " | " $12 " | " $13 " | " $14 }'
} > "$OUT/results.md"
cat "$OUT/results.md"
