#!/usr/bin/env bash
# Two hosts on one machine: the receiver and the sender each run in their own network namespace, joined by a veth pair
# (receiver 10.77.0.1/24, sender 10.77.0.2/24 — these addresses exist only inside the namespaces made here). The link
# is impaired to 10 Mbit/s, 40 ms delay and 1 % loss in each direction, the sender sends a batch over TLS, and the
# script checks that every image arrived exactly once and intact (one sidecar per image, every PNG decodes).
#
# Impairment: `tc qdisc ... netem rate 10mbit delay 40ms loss 1%` on both ends of the veth. When the kernel has no
# sch_netem (some container kernels), the same link is built from what it has, and the script says so:
#   rate  — tc tbf 10mbit on both ends of the veth (sch_tbf),
#   loss  — nftables `numgen random mod 100 < 1 drop` on input in both namespaces (installs nftables if missing),
#   delay — a relay in the sender's namespace that holds every chunk 40 ms in each direction before forwarding it
#           over the veth (TCP-level delay rather than per-packet; the sender then connects to the relay).
#
# Needs root (network namespaces), iproute2 (ip, tc; scripts/setup.sh installs it), python3 (PNG check, relay) and
# the built programs (dotnet build -c Release receiver sender). Cleans up the namespaces on exit, failure included.
#
# Usage: sudo scripts/two-hosts.sh [--images DIR] [--count N] [--side PX] [--models DIR] [--demo] [--keep]
#   --images DIR  send these images (default: N generated PNGs of PX×PX, seeded)
#   --count N     generated images (default 40);  --side PX  their size (default 128)
#   --models DIR  folder with cae-compact.{encoder,decoder}.safetensors (default: the repository's models/)
#   --demo        attach each original PNG too (sender --demo): more bytes, so the 10 Mbit/s rate shows
#   --keep        keep the work folder (keys, logs, received images) and print its path
# Last line of output on success: RESULT {json} with the figures (the CI test reads it).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
IMAGES="" COUNT=40 SIDE=128 MODELS="$ROOT/models" KEEP=0 DEMO=()
while [ $# -gt 0 ]; do
  case "$1" in
    --images) IMAGES=$2; shift 2 ;;
    --count) COUNT=$2; shift 2 ;;
    --side) SIDE=$2; shift 2 ;;
    --models) MODELS=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --demo) DEMO=(--demo); shift ;;
    -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
    *) echo "two-hosts: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

die() { echo "two-hosts: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "must run as root: it creates network namespaces (try: sudo $0)"
for tool in ip tc python3 dotnet; do command -v "$tool" >/dev/null || die "'$tool' not found (ip and tc come from iproute2: scripts/setup.sh installs it)"; done
RX_DLL="$ROOT/receiver/bin/Release/net10.0/receiver.dll"
TX_DLL="$ROOT/sender/bin/Release/net10.0/sender.dll"
[ -f "$RX_DLL" ] && [ -f "$TX_DLL" ] || die "build the programs first: dotnet build -c Release receiver && dotnet build -c Release sender"
[ -f "$MODELS/cae-compact.encoder.safetensors" ] && [ -f "$MODELS/cae-compact.decoder.safetensors" ] \
  || die "no cae-compact encoder/decoder in '$MODELS' (pass --models DIR)"

ID=$$
NS_RX="st2h-rx-$ID" NS_TX="st2h-tx-$ID"
VETH_RX="st2h${ID}r" VETH_TX="st2h${ID}s"
RX_IP=10.77.0.1 TX_IP=10.77.0.2 PORT=50443
WORK=$(mktemp -d /tmp/st-two-hosts.XXXXXX)
PIDS=()

cleanup() {
  local rc=$?
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  ip netns del "$NS_RX" 2>/dev/null || true
  ip netns del "$NS_TX" 2>/dev/null || true   # deleting a namespace also deletes its end of the veth pair
  if [ "$KEEP" = 1 ]; then echo "two-hosts: kept $WORK" >&2; else rm -rf "$WORK"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

rx() { ip netns exec "$NS_RX" "$@"; }
tx() { ip netns exec "$NS_TX" "$@"; }

# --- the two hosts and their link -------------------------------------------------------------------------------
ip netns add "$NS_RX"
ip netns add "$NS_TX"
ip link add "$VETH_RX" type veth peer name "$VETH_TX"
ip link set "$VETH_RX" netns "$NS_RX"
ip link set "$VETH_TX" netns "$NS_TX"
rx ip addr add "$RX_IP/24" dev "$VETH_RX"
tx ip addr add "$TX_IP/24" dev "$VETH_TX"
for ns in "$NS_RX" "$NS_TX"; do ip -n "$ns" link set lo up; done
rx ip link set "$VETH_RX" up
tx ip link set "$VETH_TX" up

RELAY=0
if rx tc qdisc add dev "$VETH_RX" root netem rate 10mbit delay 40ms loss 1% 2>/dev/null; then
  tx tc qdisc add dev "$VETH_TX" root netem rate 10mbit delay 40ms loss 1%
  MODE="netem rate 10mbit delay 40ms loss 1% (both directions)"
else
  echo "two-hosts: this kernel has no sch_netem; building the same link from tbf (rate), nftables (loss) and a delay relay" >&2
  rx tc qdisc add dev "$VETH_RX" root tbf rate 10mbit burst 32kbit latency 400ms
  tx tc qdisc add dev "$VETH_TX" root tbf rate 10mbit burst 32kbit latency 400ms
  if ! command -v nft >/dev/null; then
    echo "two-hosts: installing nftables for the 1 % packet loss" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nftables >/dev/null \
      || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nftables >/dev/null; } \
      || die "nftables is needed for packet loss without netem, and could not be installed"
  fi
  for pair in "$NS_RX:$VETH_RX" "$NS_TX:$VETH_TX"; do
    ip netns exec "${pair%%:*}" nft -f - <<EOF
table inet st_two_hosts {
  chain input {
    type filter hook input priority 0; policy accept;
    iifname "${pair##*:}" numgen random mod 100 < 1 counter drop
  }
}
EOF
  done
  RELAY=1
  MODE="tbf rate 10mbit + nftables 1% input drop (both namespaces) + 40 ms relay delay each way (no sch_netem in this kernel)"
fi
echo "two-hosts: link $TX_IP -> $RX_IP: $MODE" >&2

# --- keys, images -------------------------------------------------------------------------------------------------
RX_CMD=(dotnet "$RX_DLL") TX_CMD=(dotnet "$TX_DLL")
"${RX_CMD[@]}" keygen --key "$WORK/keys/receiver.key" >/dev/null
"${TX_CMD[@]}" keygen --key "$WORK/keys/sender.key" >/dev/null
"${RX_CMD[@]}" allow "$WORK/keys/sender.pub" --allow "$WORK/keys/allowed.txt" >/dev/null
FP=$("${RX_CMD[@]}" keygen --key "$WORK/keys/receiver.key" | grep -oE '[0-9a-f]{64}' | head -1)
[ -n "$FP" ] || die "could not read the receiver's fingerprint"

if [ -z "$IMAGES" ]; then
  IMAGES="$WORK/images"
  python3 - "$IMAGES" "$COUNT" "$SIDE" <<'EOF'
import os, random, struct, sys, zlib
out, count, side = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
os.makedirs(out, exist_ok=True)
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
for i in range(count):
    rng = random.Random(i)
    cx, cy, r = rng.randrange(side), rng.randrange(side), rng.randrange(side // 5, side // 2)
    rows = bytearray()
    for y in range(side):
        rows.append(0)
        for x in range(side):
            disc = (x - cx) ** 2 + (y - cy) ** 2 < r * r
            rows += bytes(((x * 255 // side + (90 if disc else 0)) & 255, (y * 255 // side + rng.randrange(24)) & 255, 40 if disc else (200 - (x + y) // 3) & 255))
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(bytes(rows))) + chunk(b"IEND", b"")
    with open(os.path.join(out, f"img{i:04d}.png"), "wb") as f:
        f.write(png)
EOF
fi
SENT=$(find "$IMAGES" -maxdepth 1 -type f \( -name '*.png' -o -name '*.tif' -o -name '*.tiff' -o -name '*.ppm' -o -name '*.pgm' -o -name '*.pnm' \) | wc -l)
[ "$SENT" -gt 0 ] || die "no images in $IMAGES"

# --- the receiver host --------------------------------------------------------------------------------------------
# (ip netns exec execs the program, so $! is the receiver itself and cleanup can stop it)
ip netns exec "$NS_RX" "${RX_CMD[@]}" serve --listen "$RX_IP:$PORT" --port-file "$WORK/port" --key "$WORK/keys/receiver.key" \
  --allow "$WORK/keys/allowed.txt" --models "$MODELS" --out "$WORK/out" >"$WORK/receiver.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 600); do [ -s "$WORK/port" ] && break; kill -0 "${PIDS[0]}" 2>/dev/null || break; sleep 0.1; done
[ -s "$WORK/port" ] || { cat "$WORK/receiver.log" >&2; die "the receiver did not start"; }

TO="https://$RX_IP:$PORT"
if [ "$RELAY" = 1 ]; then
  # In the sender's namespace: accept on 127.0.0.1, hold every chunk 40 ms, forward to the receiver over the veth.
  ip netns exec "$NS_TX" python3 - "$RX_IP" "$PORT" "$WORK/relay-port" <<'EOF' >"$WORK/relay.log" 2>&1 &
import asyncio, sys, time
target_host, target_port, port_file = sys.argv[1], int(sys.argv[2]), sys.argv[3]
DELAY = 0.040
async def pump(reader, writer):
    queue = asyncio.Queue(maxsize=4096)
    async def delayed_writer():
        while True:
            due, data = await queue.get()
            if data is None:
                break
            wait = due - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            writer.write(data)
            await writer.drain()
        try:
            writer.write_eof()
        except OSError:
            pass
    task = asyncio.create_task(delayed_writer())
    try:
        while data := await reader.read(65536):
            await queue.put((time.monotonic() + DELAY, data))
    except OSError:
        pass
    await queue.put((0, None))
    try:
        await task
    except OSError:
        pass
async def handle(client_reader, client_writer):
    try:
        server_reader, server_writer = await asyncio.open_connection(target_host, target_port)
    except OSError:
        client_writer.close()
        return
    await asyncio.gather(pump(client_reader, server_writer), pump(server_reader, client_writer), return_exceptions=True)
    for w in (client_writer, server_writer):
        w.close()
async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    with open(port_file + ".tmp", "w") as f:
        f.write(str(server.sockets[0].getsockname()[1]))
    import os
    os.replace(port_file + ".tmp", port_file)
    async with server:
        await server.serve_forever()
asyncio.run(main())
EOF
  PIDS+=($!)
  for _ in $(seq 1 100); do [ -s "$WORK/relay-port" ] && break; sleep 0.1; done
  [ -s "$WORK/relay-port" ] || { cat "$WORK/relay.log" >&2; die "the delay relay did not start"; }
  TO="https://127.0.0.1:$(cat "$WORK/relay-port")"
fi

# --- the sender host ----------------------------------------------------------------------------------------------
start=$(date +%s.%N)
set +e
tx "${TX_CMD[@]}" send "$IMAGES" --to "$TO" --receiver "$FP" --key "$WORK/keys/sender.key" --models "$MODELS" \
  --quiet --attempts 10 --json "$WORK/summary.json" "${DEMO[@]}" >"$WORK/sender.log" 2>&1
send_rc=$?
set -e
end=$(date +%s.%N)
if [ $send_rc -ne 0 ]; then
  echo "--- sender ---" >&2; cat "$WORK/sender.log" >&2; echo "--- receiver ---" >&2; tail -n 30 "$WORK/receiver.log" >&2
  die "the sender failed (exit $send_rc)"
fi

# --- what the link did -------------------------------------------------------------------------------------------
# Bytes and packets each end sent through its qdisc, and packets dropped (netem's own loss, or the nftables rule).
{
  for pair in "$NS_RX:$VETH_RX" "$NS_TX:$VETH_TX"; do
    sent_line=$(ip netns exec "${pair%%:*}" tc -s qdisc show dev "${pair##*:}" | grep -m1 -oE 'Sent [0-9]+ bytes [0-9]+ pkt \(dropped [0-9]+' || true)
    nft_drops=$(ip netns exec "${pair%%:*}" nft list table inet st_two_hosts 2>/dev/null | grep -oE 'packets [0-9]+' | grep -oE '[0-9]+' || echo 0)
    echo "${pair##*:}: ${sent_line:-no qdisc stats}), input drops by nftables: $nft_drops"
  done
} >"$WORK/link-stats.txt"

# --- what arrived -------------------------------------------------------------------------------------------------
python3 - "$WORK/out" "$WORK/summary.json" "$SENT" "$start" "$end" "$MODE" "$TX_IP" "$RX_IP" "$WORK/link-stats.txt" <<'EOF'
import glob, json, os, struct, sys, zlib
out, summary_path, sent, start, end, mode, tx_ip, rx_ip, stats_path = sys.argv[1:10]
link_stats = [l.strip() for l in open(stats_path) if l.strip()]
sent, seconds = int(sent), float(end) - float(start)
problems = []
sidecars = [json.load(open(p)) for p in sorted(glob.glob(os.path.join(out, "*.json")))]
ids = {s["image_id"] for s in sidecars}
if len(sidecars) != sent: problems.append(f"{len(sidecars)} sidecars for {sent} images")
if len(ids) != len(sidecars): problems.append(f"{len(sidecars) - len(ids)} duplicated image id(s)")
if glob.glob(os.path.join(out, "*.tmp")): problems.append("temporary files left")
def png_ok(path, width, height):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n": return "not a PNG"
    pos, idat, ihdr = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body, crc = data[pos + 8:pos + 8 + n], data[pos + 8 + n:pos + 12 + n]
        if len(crc) != 4 or zlib.crc32(kind + body) & 0xFFFFFFFF != struct.unpack(">I", crc)[0]: return f"bad CRC in {kind!r}"
        if kind == b"IHDR": ihdr = struct.unpack(">IIBBBBB", body)
        if kind == b"IDAT": idat += body
        pos += 12 + n
    if ihdr is None or (ihdr[0], ihdr[1]) != (width, height): return f"IHDR {ihdr} does not match {width}x{height}"
    channels = {0: 1, 2: 3, 4: 2, 6: 4}.get(ihdr[3], 0)
    raw = zlib.decompress(idat)
    expect = height * (1 + width * channels * ihdr[2] // 8)
    return None if len(raw) == expect else f"pixel data {len(raw)} bytes, expected {expect}"
for s in sidecars:
    why = png_ok(os.path.join(out, s["file"]), s["width"], s["height"])
    if why: problems.append(f"{s['file']}: {why}")
summary = json.load(open(summary_path))
stored = {i["stored_name"] for i in summary["images"]}
if stored != {s["file"] for s in sidecars}: problems.append("the sender's receipts and the stored files differ")
wire = sum(s["wire_bytes"] for s in sidecars)
demo = any(i.get("psnr") is not None for i in summary["images"])
result = {"sent": sent, "stored": len(sidecars), "unique_ids": len(ids), "seconds": round(seconds, 3), "wire_bytes": wire,
          "demo_originals": demo, "attempts_max": max(i["attempts"] for i in summary["images"]), "link": mode, "link_stats": link_stats,
          "from": tx_ip, "to": rx_ip,
          "images_per_second": round(len(sidecars) / seconds, 2), "problems": problems}
for l in link_stats: print(f"two-hosts: {l}")
print(f"two-hosts: {len(sidecars)}/{sent} images from {tx_ip} to {rx_ip} over TLS ({wire} bytes of packets"
      f"{', plus the demo originals' if demo else ''}) in {seconds:.2f} s "
      f"({len(sidecars) / seconds:.1f} images/s, sender start-up and encoding included); link: {mode}")
for p in problems: print(f"two-hosts: PROBLEM: {p}", file=sys.stderr)
print("RESULT " + json.dumps(result))
sys.exit(1 if problems else 0)
EOF
