#!/usr/bin/env bash
# SecureTransmit demo: builds, creates keys if missing, starts a receiver on loopback (TLS), sends the sample
# images with the shipped lic-2 codec (MODEL=… picks another), prints a table, stops the receiver. Exits 0 on success.
# Options (environment): MODEL=lic-2 CIPHER=aes-256-gcm|logistic DEMO_DIR=.demo
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
MODEL=${MODEL:-lic-2}
CIPHER=${CIPHER:-aes-256-gcm}
DIR=${DEMO_DIR:-.demo}

echo "== building (Release)"
dotnet build SecureTransmit.sln -c Release --nologo -v quiet -clp:ErrorsOnly >/dev/null
R=(dotnet receiver/bin/Release/net10.0/receiver.dll)
S=(dotnet sender/bin/Release/net10.0/sender.dll)
L=(dotnet lab/bin/Release/net10.0/lab.dll)

mkdir -p "$DIR/keys"
"${R[@]}" keygen --key "$DIR/keys/receiver.key" >/dev/null
"${S[@]}" keygen --key "$DIR/keys/sender.key" >/dev/null
RECEIVER_FP=$("${R[@]}" keygen --key "$DIR/keys/receiver.key" | grep -o '[0-9a-f]\{64\}')
"${R[@]}" allow "$DIR/keys/sender.pub" --allow "$DIR/keys/allowed-senders.txt" --name demo-sender >/dev/null
echo "== receiver fingerprint $RECEIVER_FP"

OUT="$DIR/received"; rm -rf "$OUT" "$DIR/port"
"${R[@]}" serve --listen 127.0.0.1:0 --port-file "$DIR/port" --key "$DIR/keys/receiver.key" \
  --allow "$DIR/keys/allowed-senders.txt" --models models --out "$OUT" --ciphers "$CIPHER" > "$DIR/receiver.log" 2>&1 &
RPID=$!
cleanup() { kill -TERM "$RPID" 2>/dev/null || true; wait "$RPID" 2>/dev/null || true; }
trap cleanup EXIT
for _ in $(seq 1 100); do [ -s "$DIR/port" ] && break; kill -0 "$RPID" 2>/dev/null || { cat "$DIR/receiver.log"; exit 1; }; sleep 0.1; done
[ -s "$DIR/port" ] || { echo "receiver did not start"; cat "$DIR/receiver.log"; exit 1; }
PORT=$(cat "$DIR/port")
echo "== receiver listening on https://127.0.0.1:$PORT (log: $DIR/receiver.log)"

echo "== sending samples/ with $MODEL / $CIPHER"
"${S[@]}" send samples --to "https://127.0.0.1:$PORT" --receiver "$RECEIVER_FP" --key "$DIR/keys/sender.key" \
  --model "$MODEL" --cipher "$CIPHER" --demo --json "$DIR/summary.json" --quiet
"${L[@]}" demo-table --summary "$DIR/summary.json" --received "$OUT"
cleanup
trap - EXIT
echo "== done: reconstructions and JSON sidecars in $OUT"
