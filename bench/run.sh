#!/usr/bin/env bash
# Benchmarks of this machine's build against its peers, each ratio measured in the same run.
# Usage: ./bench/run.sh [--json FILE] [--quick]
# 1. The neural engine against PyTorch (bench/): the FMA peak (all cores), SGEMM 1024^3 and the cae-compact convolution
#    shapes as a fraction of it, cae-compact and cnn-bigru inference and training images/s for us and for PyTorch
#    (/usr/bin/python3, torch.set_num_threads(2), NCHW and channels_last, best taken), and training peak RSS.
# 2. The wire (bench/Wire): MB/s of 64 KiB messages through grpc-dotnet (Grpc.AspNetCore + Grpc.Net.Client, with the
#    receiver's limits) against raw 5-byte framing on the same h2c endpoint, the end-to-end time of a 512×512 image
#    with cae-compact over TLS (p50/p99), and the receiver's RSS growth while 256 calls without a key try to make it
#    buffer (unauth_rss_growth_mb).
# With --json, one JSON object holds both parts' keys (e.g. cae_inference_ratio, bigru_training_ratio,
# grpc_stream_ratio, e2e_512_p50_ms).
set -euo pipefail
cd "$(dirname "$0")/.."
json="" quick=0 pass=()
while [ $# -gt 0 ]; do
  case "$1" in
    --json) json="$2"; shift 2 ;;
    --quick) quick=1; pass+=("$1"); shift ;;
    *) pass+=("$1"); shift ;;
  esac
done
if ! /usr/bin/python3 -c "import torch" >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] || sudo -n true 2>/dev/null; then
    echo "bench: PyTorch peer missing for /usr/bin/python3; installing python3-torch" >&2
    SETUP_WITH_TORCH=1 bash scripts/setup.sh
  else
    echo "PyTorch peer missing for /usr/bin/python3: run as root, or apt-get install python3-torch" >&2
    exit 3
  fi
fi
dotnet build bench/SecureTransmit.Bench.csproj -c Release --nologo -v quiet -clp:NoSummary >/dev/null
dotnet build bench/Wire/SecureTransmit.Bench.Wire.csproj -c Release --nologo -v quiet -clp:NoSummary >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dotnet bench/bin/Release/net10.0/bench.dll --torch-peer bench/torch_peer.py --json "$tmp/engine.json" ${pass[@]+"${pass[@]}"}
wire=(--json "$tmp/wire.json")
[ "$quick" = 1 ] && wire+=(--mb 64 --e2e 20)
# The receiver's per-image log lines go to stderr's neighbour stdout; keep the summary lines only.
dotnet bench/Wire/bin/Release/net10.0/bench-wire.dll "${wire[@]}" | grep -v " info: " || true
[ -s "$tmp/wire.json" ] || { echo "bench-wire wrote no results" >&2; exit 1; }
if [ -n "$json" ]; then
  /usr/bin/python3 - "$tmp/engine.json" "$tmp/wire.json" "$json" <<'PY'
import json, os, sys
engine, wire, out = sys.argv[1:4]
merged = json.load(open(engine))
merged["wire"] = json.load(open(wire))
for key in ("grpc_stream_ratio", "e2e_512_p50_ms", "e2e_512_p99_ms", "unauth_rss_growth_mb"):
    merged[key] = merged["wire"][key]
merged.setdefault("goals", {}).update({"grpc_stream_ratio": 0.85, "e2e_512_p50_ms_below": 50, "unauth_rss_growth_mb_at_most": 64})
tmp = out + ".tmp"
with open(tmp, "w") as f:
    json.dump(merged, f, indent=2)
    f.write("\n")
os.replace(tmp, out)
print(f"wrote {out}")
PY
fi
