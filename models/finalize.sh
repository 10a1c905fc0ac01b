#!/usr/bin/env bash
# Turns a training run into shipped weights: exports the run's last checkpoint as the split encoder/decoder files
# into models/, evaluates them on the CIFAR-10 test batch (product path), and writes the model card.
# Usage: models/finalize.sh NAME RUN_DIR   (stop the training first; its checkpoint is taken as it stands)
# Env: LAB_DLL (default lab/bin/Release/net10.0/lab.dll), CIFAR (dataset folder), EVAL_LIMIT, DATA_NOTE,
#      STOPPED=1 when the run was cut short (the card's command line then says after which epoch).
set -euo pipefail
cd "$(dirname "$0")/.."
name=$1; run=$2
D=${CIFAR:-../shared/datasets/cifar-10}
L=(dotnet "${LAB_DLL:-lab/bin/Release/net10.0/lab.dll}")
epochs=$(/usr/bin/python3 -c "import json,struct,sys; f=open(sys.argv[1],'rb'); n=struct.unpack('<Q',f.read(8))[0]; h=json.loads(f.read(n)); print(json.loads(h['__metadata__']['train_state'])['Epoch'])" "$run/checkpoint.safetensors")
echo "== $name: exporting epoch $epochs"
cp "$run/checkpoint.safetensors" "$run/checkpoint-final.safetensors"
"${L[@]}" train --model "$name" --data "$D/data_batch_1.bin" "$D/data_batch_2.bin" "$D/data_batch_3.bin" --val "$D/test_batch.bin" \
  --resume "$run/checkpoint-final.safetensors" --export --out "$run" > "$run/export.log"
cp "$run/$name.encoder.safetensors" "$run/$name.decoder.safetensors" models/
mkdir -p docs/models
cp "$run/metrics.csv" "docs/models/$name-metrics.csv"
[ -f "$run/loss.svg" ] && cp "$run/loss.svg" "docs/models/$name-loss.svg"
[ -f "$run/accuracy.svg" ] && cp "$run/accuracy.svg" "docs/models/$name-accuracy.svg"
"${L[@]}" eval --model "$name" --data "$D/test_batch.bin" ${EVAL_LIMIT:+--limit $EVAL_LIMIT} --json "docs/models/$name-eval.json" --out docs/models > "$run/eval.log"
"${L[@]}" model-card --model "$name" --run "$run" --eval "docs/models/$name-eval.json" ${DATA_NOTE:+--data-note "$DATA_NOTE"} \
  --command "lab train --model $name --data data_batch_1.bin data_batch_2.bin data_batch_3.bin --val test_batch.bin --epochs $epochs --batch 256 --lr 1e-3 --seed 1${STOPPED:+ (stopped after epoch $epochs)}"
