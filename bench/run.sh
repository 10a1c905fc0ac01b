#!/usr/bin/env bash
# Benchmark of the neural engine against PyTorch on this machine.
# Usage: ./bench/run.sh [--json FILE] [--quick]
# Builds Release, then measures: the FMA peak (all cores), SGEMM 1024^3 and the cae-compact convolution
# shapes as a fraction of it, cae-compact inference and training images/s for us and for PyTorch
# (/usr/bin/python3, torch.set_num_threads(2), NCHW and channels_last, best taken), and training peak RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! /usr/bin/python3 -c "import torch" >/dev/null 2>&1; then
  echo "PyTorch peer missing for /usr/bin/python3: apt-get install python3-torch" >&2
  exit 3
fi
dotnet build bench/SecureTransmit.Bench.csproj -c Release --nologo -v quiet -clp:NoSummary >/dev/null
exec dotnet bench/bin/Release/net10.0/bench.dll --torch-peer bench/torch_peer.py "$@"
