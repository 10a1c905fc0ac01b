#!/usr/bin/env bash
# Turns a lic training run into shipped weights: exports the run's checkpoint as the split encoder/decoder files
# (transforms + integer coding tables) into models/, evaluates them on Kodak through the product path (evaluation only:
# no lic model is ever trained or tuned on Kodak), copies the curves, and writes the model card.
# Usage: models/finalize-lic.sh NAME RUN_DIR "SCHEDULE"   (stop the training first; the checkpoint is taken as it stands)
# Env: LAB_DLL (default lab/bin/Release/net10.0/lab.dll), KODAK (default ../shared/datasets/kodak), PHOTOS (training folder).
set -euo pipefail
cd "$(dirname "$0")/.."
name=$1; run=$2; schedule=${3:-}
K=${KODAK:-../shared/datasets/kodak}
L=(dotnet "${LAB_DLL:-lab/bin/Release/net10.0/lab.dll}")
cp "$run/checkpoint.safetensors" "$run/checkpoint-final.safetensors"
"${L[@]}" train --model "$name" --data "${PHOTOS:-../shared/datasets/photos}" --resume "$run/checkpoint-final.safetensors" --export --out "$run" > "$run/export.log"
cp "$run/$name.encoder.safetensors" "$run/$name.decoder.safetensors" models/
mkdir -p docs/models
cp "$run/metrics.csv" "docs/models/$name-metrics.csv"
for f in loss psnr bpp; do [ -f "$run/$f.svg" ] && cp "$run/$f.svg" "docs/models/$name-$f.svg"; done
"${L[@]}" eval --model "$name" --data "$K" --json "docs/models/$name-kodak-eval.json" --out "docs/models/$name" > "$run/eval.log"
"${L[@]}" model-card --model "$name" --run "$run" --eval "docs/models/$name-kodak-eval.json" --command "$schedule"
