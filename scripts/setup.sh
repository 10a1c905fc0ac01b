#!/usr/bin/env bash
# Installs what the tests and the demo need on a fresh Debian machine that has only the .NET SDK.
# Idempotent: does nothing when everything is present. Needs root (or sudo) only when something is missing.
set -euo pipefail
need=()
/usr/bin/python3 -c 'import grpc' 2>/dev/null || need+=(python3-grpcio)
/usr/bin/python3 -c 'import google.protobuf' 2>/dev/null || need+=(python3-protobuf)
/usr/bin/python3 -c 'import numpy' 2>/dev/null || need+=(python3-numpy)
command -v ip >/dev/null || need+=(iproute2)
command -v tc >/dev/null || need+=(iproute2)
# cjpeg: the Imaging tests' progressive JPEGs (SkiaSharp writes only baseline). lab rd: the AVIF reference codec.
# (JPEG and WebP for lab rd / lab bandwidth run in process through SkiaSharp: no cwebp/dwebp needed.)
command -v cjpeg >/dev/null || need+=(libjpeg-turbo-progs)
command -v avifenc >/dev/null && command -v avifdec >/dev/null || need+=(libavif-bin)
# Headless Chromium for the dashboard's browser test (tests/Integration.Tests/DashboardBrowserTests.cs).
[ -x /usr/bin/chromium ] || need+=(chromium)
if [ "${SETUP_WITH_TORCH:-0}" = 1 ]; then /usr/bin/python3 -c 'import torch' 2>/dev/null || need+=(python3-torch); fi
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]}" >&2
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
