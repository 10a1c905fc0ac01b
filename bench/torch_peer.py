#!/usr/bin/python3
"""PyTorch peer for bench/run.sh: cae-compact inference and training throughput on 2 threads.

Usage: torch_peer.py MODE FORMAT BATCH SECONDS
  MODE    inference | training
  FORMAT  nchw | channels_last
Prints one JSON line: {"mode", "format", "batch", "images_per_s", "peak_rss_mb", "torch", "threads"}.
The model mirrors SecureTransmit's cae-compact layer for layer (Conv 3x3 same + ReLU + MaxPool x3,
Flatten, Linear 128->128 ReLU | Linear 128->256 ReLU, Unflatten, (Conv + ReLU + Upsample) x3, Conv, Sigmoid);
training is Adam(lr 1e-3) + MSELoss on the batch itself, as an autoencoder trains.
"""
import json
import sys
import time
from collections import OrderedDict

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError:
    print("PyTorch is missing: apt-get install python3-torch", file=sys.stderr)
    sys.exit(3)


def conv(i, o):
    return nn.Conv2d(i, o, 3, padding=1)


def cae_compact():
    enc = nn.Sequential(conv(3, 32), nn.ReLU(), nn.MaxPool2d(2), conv(32, 16), nn.ReLU(), nn.MaxPool2d(2),
                        conv(16, 8), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(128, 128), nn.ReLU())
    dec = nn.Sequential(nn.Linear(128, 256), nn.ReLU(), nn.Unflatten(1, (16, 4, 4)),
                        conv(16, 16), nn.ReLU(), nn.Upsample(scale_factor=2, mode="nearest"),
                        conv(16, 32), nn.ReLU(), nn.Upsample(scale_factor=2, mode="nearest"),
                        conv(32, 32), nn.ReLU(), nn.Upsample(scale_factor=2, mode="nearest"),
                        conv(32, 3), nn.Sigmoid())
    return nn.Sequential(OrderedDict(encoder=enc, decoder=dec))


def peak_rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def main():
    mode, fmt, batch, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    torch.set_num_threads(2)
    torch.manual_seed(0)
    model = cae_compact()
    x = torch.rand(batch, 3, 32, 32)
    if fmt == "channels_last":
        model = model.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)
    if mode == "inference":
        model.eval()

        def step():
            with torch.no_grad():
                model(x)
    else:
        model.train()
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)

        def step():
            opt.zero_grad(set_to_none=False)
            loss = F.mse_loss(model(x), x)
            loss.backward()
            opt.step()

    warm = time.perf_counter()
    calls = 0
    while calls < 5 or time.perf_counter() - warm < min(2.0, seconds):
        step()
        calls += 1
    best = 0.0
    for _ in range(3):
        t0 = time.perf_counter()
        n = 0
        while time.perf_counter() - t0 < seconds / 3:
            step()
            n += 1
        best = max(best, n * batch / (time.perf_counter() - t0))
    print(json.dumps({"mode": mode, "format": fmt, "batch": batch, "images_per_s": best,
                      "peak_rss_mb": peak_rss_mb(), "torch": torch.__version__, "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()
