#!/usr/bin/env bash
# Our PNG decoder/encoder against SkiaSharp's: PngSuite correctness, then 512x512 speed (rounds interleaved).
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet run -c Release --project bench/png-compare -- "${1:-../shared/datasets/pngsuite}" "${2:-../shared/datasets/kodak/kodim23.png}"
