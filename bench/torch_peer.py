#!/usr/bin/python3
"""PyTorch peer for bench/run.sh: cae-compact and cnn-bigru inference and training throughput on 2 threads.

Usage: torch_peer.py MODE FORMAT BATCH SECONDS [MODEL]
  MODE    inference | training
  FORMAT  nchw | channels_last
  MODEL   cae-compact (default) | cnn-bigru | lic-2
lic-2 is the learned codec (tests/Neural.Tests/fixtures/make_lic_fixtures.py defines it with the engine's names,
N=64, M=128): inference is g_a then g_s on 128x128 crops, training one rate-distortion step (noise for the rate,
straight-through rounding for g_s, lambda 0.013, Adam lr 1e-4) — the step lab train runs.
Prints one JSON line: {"mode", "format", "batch", "images_per_s", "peak_rss_mb", "torch", "threads"}.
The model mirrors SecureTransmit's cae-compact layer for layer (Conv 3x3 same + ReLU + MaxPool x3,
Flatten, Linear 128->128 ReLU | Linear 128->256 ReLU, Unflatten, (Conv + ReLU + Upsample) x3, Conv, Sigmoid);
cnn-bigru mirrors SecureTransmit's CnnBiGru (conv 32 + pool, conv 64 + pool, NHWC view (16, 256), BiGRU(128),
Linear 128 ReLU | Linear 256 ReLU, BiGRU(128), view (16,16,16) channels-last, conv 64, upsample, conv 32, conv 3, sigmoid).
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


class BiGruEncoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = conv(3, 32)
        self.conv2 = conv(32, 64)
        self.gru1 = nn.GRU(256, 128, batch_first=True, bidirectional=True)
        self.encryption = nn.Linear(256, 128)

    def forward(self, x):
        n = x.shape[0]
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = x.permute(0, 2, 3, 1).reshape(n, 16, 256)   # channels-last flatten: 16 steps of 256
        x, _ = self.gru1(x)
        return F.relu(self.encryption(x))               # latent [N, 16, 128]


class BiGruDecoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.decryption = nn.Linear(128, 256)
        self.gru2 = nn.GRU(256, 128, batch_first=True, bidirectional=True)
        self.conv3 = conv(16, 64)
        self.conv4 = conv(64, 32)
        self.conv5 = conv(32, 3)

    def forward(self, z):
        n = z.shape[0]
        x = F.relu(self.decryption(z))
        x, _ = self.gru2(x)
        x = x.reshape(n, 16, 16, 16).permute(0, 3, 1, 2)  # (16, 16, 16) channels-last -> NCHW
        x = F.relu(self.conv3(x))
        x = F.interpolate(x, scale_factor=2, mode="nearest")
        x = F.relu(self.conv4(x))
        return torch.sigmoid(self.conv5(x))


def cnn_bigru():
    return nn.Sequential(OrderedDict(encoder=BiGruEncoder(), decoder=BiGruDecoder()))


def lic2():
    import os
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "Neural.Tests", "fixtures"))
    import make_lic_fixtures as lic
    return lic, lic.lic(64, 128, 3)


def peak_rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def main():
    mode, fmt, batch, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    name = sys.argv[5] if len(sys.argv) > 5 else "cae-compact"
    builders = {"cae-compact": cae_compact, "cnn-bigru": cnn_bigru, "lic-2": None}
    if name not in builders:
        print(f"unknown model '{name}' (known: {', '.join(builders)})", file=sys.stderr)
        sys.exit(2)
    torch.set_num_threads(2)
    torch.manual_seed(0)
    if name == "lic-2":
        lic, model = lic2()
        x = torch.rand(batch, 3, 128, 128)
    else:
        model = builders[name]()
        x = torch.rand(batch, 3, 32, 32)
    if fmt == "channels_last":
        model = model.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)
    if name == "lic-2" and mode == "inference":
        def step():
            with torch.no_grad():
                model.g_s(torch.round(model.g_a(x)))
    elif name == "lic-2":
        opt = torch.optim.Adam(model.parameters(), lr=1e-4)

        def step():
            opt.zero_grad(set_to_none=False)
            y = model.g_a(x)
            bits = model.entropy_bottleneck.bits(y + torch.rand(y.shape) - 0.5)
            xh = model.g_s(lic.RoundSTE.apply(y))
            loss = 0.013 * 255 ** 2 * F.mse_loss(xh, x) + bits / (x.shape[0] * x.shape[2] * x.shape[3])
            loss.backward()
            opt.step()
    elif mode == "inference":
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
    print(json.dumps({"model": name, "mode": mode, "format": fmt, "batch": batch, "images_per_s": best,
                      "peak_rss_mb": peak_rss_mb(), "torch": torch.__version__, "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()
