#!/usr/bin/env python3
"""Hostile grpcio client for the SecureTransmit receiver (raw bytes, no generated stubs).

Runs a fixed list of attacks against securetransmit.v2 (Handshake, Transmit) and grpc.health.v1 and prints one JSON object:
{case: {"codes": {CODE_NAME: count}, "max_s": seconds of the slowest call, "calls": n, "notes": [...]}}.
The C# test (Reliability/HostileInputTests.cs) decides which codes are right; this script only observes.
A successful call is recorded as "OK"; a call that did not end within its client-side timeout as "CLIENT_TIMEOUT".

Usage: hostile_client.py --target 127.0.0.1:PORT --captured captured.json [--seed N]
captured.json: {"hellos": [hex, ...], "begin": hex, "half_data": hex, "data": hex, "end": hex} — serialized
UploadRequest messages of one real sealed image on a live session: upload hellos with increasing call counters (each
proves the session key once), begin, its data cut in half, the whole data, the tag.
"""
import argparse
import json
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import grpc

SERVICE = "/securetransmit.v2.Transmit/"
HANDSHAKE = "/securetransmit.v2.Handshake/"
HEALTH = "/grpc.health.v1.Health/"
CLIENT_TIMEOUT = 30.0


class Results:
    def __init__(self):
        self.cases = {}
        self.lock = threading.Lock()

    def record(self, case, code, seconds, note=None):
        with self.lock:
            c = self.cases.setdefault(case, {"codes": {}, "max_s": 0.0, "calls": 0, "notes": []})
            c["codes"][code] = c["codes"].get(code, 0) + 1
            c["max_s"] = max(c["max_s"], round(seconds, 3))
            c["calls"] += 1
            # Up to two notes per status code, so a rare code's reason is kept too.
            if note and sum(1 for n in c["notes"] if n.startswith(code + ": ")) < 2:
                c["notes"].append(f"{code}: {note}")


def code_of(e):
    if e.code() == grpc.StatusCode.DEADLINE_EXCEEDED and e.details() == "Deadline Exceeded":
        # grpcio's own client-side deadline (our CLIENT_TIMEOUT), not a status the receiver sent.
        return "CLIENT_TIMEOUT"
    return e.code().name


def unary(channel, results, case, method, payload):
    start = time.monotonic()
    try:
        channel.unary_unary(SERVICE + method if not method.startswith("/") else method)(payload, timeout=CLIENT_TIMEOUT)
        results.record(case, "OK", time.monotonic() - start)
    except grpc.RpcError as e:
        results.record(case, code_of(e), time.monotonic() - start, e.details())


def stream(channel, results, case, messages, stall=False, method="Upload"):
    """Sends messages on an Upload call; with stall=True the client then goes quiet without half-closing."""
    release = threading.Event()

    def requests():
        for m in messages:
            yield m
        if stall:
            release.wait(CLIENT_TIMEOUT + 5)

    start = time.monotonic()
    receipts = 0
    try:
        for _ in channel.stream_stream(SERVICE + method if not method.startswith("/") else method)(requests(), timeout=CLIENT_TIMEOUT):
            receipts += 1
        results.record(case, "OK", time.monotonic() - start, f"{receipts} receipt(s)")
    except grpc.RpcError as e:
        results.record(case, code_of(e), time.monotonic() - start, f"{receipts} receipt(s): {e.details()}")
    finally:
        release.set()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--target", required=True)
    parser.add_argument("--captured", required=True)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with open(args.captured) as f:
        raw = json.load(f)
    hellos = [bytes.fromhex(h) for h in raw.pop("hellos")]
    cap = {k: bytes.fromhex(v) for k, v in raw.items()}
    next_hello = iter(hellos)

    def new_channel():
        # Each group of cases gets its own connection: Kestrel refuses further streams (RST_STREAM ENHANCE_YOUR_CALM,
        # reported as RESOURCE_EXHAUSTED) on a connection where too many failed streams are still draining, which the
        # garbage floods below provoke; the cases whose exact status matters must not inherit that state.
        ch = grpc.insecure_channel(args.target, options=[
            ("grpc.enable_http_proxy", 0),
            ("grpc.max_send_message_length", -1),
            ("grpc.max_receive_message_length", -1),
            ("grpc.use_local_subchannel_pool", 1),
        ])
        grpc.channel_ready_future(ch).result(timeout=15)
        return ch

    r = Results()

    def rand_bytes(lo, hi):
        return rng.randbytes(rng.randint(lo, hi))

    # Cases with one right answer, on a fresh connection.
    channel = new_channel()
    # Unknown methods and services.
    for path in ["/securetransmit.v2.Transmit/Nope", "/securetransmit.v1.Transmit/Upload", "/securetransmit.v1.Transmit/OpenSession", "/x/y",
                 "/securetransmit.v2.Transmit/Health"]:
        unary(channel, r, "unknown_method", path, b"")
    # grpc.health.v1.Health/Check with an empty HealthCheckRequest: the answer must be SERVING (field 1 = 1).
    start = time.monotonic()
    try:
        reply = channel.unary_unary(HEALTH + "Check")(b"", timeout=CLIENT_TIMEOUT)
        r.record("health_check", "OK", time.monotonic() - start, "SERVING" if reply == b"\x08\x01" else "reply " + reply.hex())
    except grpc.RpcError as e:
        r.record("health_check", code_of(e), time.monotonic() - start, e.details())
    # A stream that stops midway: half the data, then silence (no half-close).
    stream(channel, r, "stall_midway", [next(next_hello), cap["begin"], cap["half_data"]], stall=True)
    # ... or a half-close midway.
    stream(channel, r, "end_midway", [next(next_hello), cap["begin"], cap["half_data"]])
    # A stream that never sends anything (not even the hello).
    stream(channel, r, "idle_stream", [], stall=True)
    # An image without the hello that proves the session key.
    stream(channel, r, "no_hello", [cap["begin"], cap["data"], cap["end"]])
    # The honest image once; the same call again (its hello is spent); a fresh hello with the same image (a replay).
    honest = next(next_hello)
    stream(channel, r, "honest_first", [honest, cap["begin"], cap["data"], cap["end"]])
    stream(channel, r, "replay_hello", [honest, cap["begin"], cap["data"], cap["end"]])
    stream(channel, r, "replay", [next(next_hello), cap["begin"], cap["data"], cap["end"]])
    # Oversized messages: the handshake takes 4 KiB, an upload message 66 KiB.
    unary(channel, r, "oversized_unary", HANDSHAKE + "OpenSession", rng.randbytes(5000))
    stream(channel, r, "oversized_stream", [rng.randbytes(17 * 1024 * 1024)])
    stream(channel, r, "oversized_stream", [rng.randbytes(70 * 1024)])
    channel.close()

    # Random bytes as request messages, for every method.
    channel = new_channel()
    for _ in range(100):
        unary(channel, r, "random_open_session", HANDSHAKE + "OpenSession", rand_bytes(0, 3000))
    for _ in range(30):
        unary(channel, r, "random_health", HEALTH + "Check", rand_bytes(0, 300))
    for _ in range(100):
        stream(channel, r, "random_upload", [rand_bytes(1, 3000) for _ in range(rng.randint(1, 5))])
    # Protobuf-shaped garbage: a 'hello' (field 1) and a 'begin' (field 2), length-delimited, holding random bytes.
    for _ in range(50):
        body = rand_bytes(0, 400)
        stream(channel, r, "garbage_begin", [bytes([0x0A]) + encode_varint(len(body)) + body, bytes([0x12]) + encode_varint(len(body)) + body])
    channel.close()

    # Many hostile streams at once.
    channel = new_channel()
    with ThreadPoolExecutor(max_workers=32) as pool:
        jobs = []
        for i in range(64):
            if i % 4 == 0:
                jobs.append(pool.submit(stream, channel, r, "concurrent", [], True))
            elif i % 4 == 1:
                jobs.append(pool.submit(stream, channel, r, "concurrent", [next(next_hello), cap["begin"], cap["half_data"]], True))
            else:
                msgs = [rand_bytes(1, 5000) for _ in range(3)]
                jobs.append(pool.submit(stream, channel, r, "concurrent", msgs))
        for j in jobs:
            j.result()
    channel.close()

    print(json.dumps(r.cases, sort_keys=True))


def encode_varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


if __name__ == "__main__":
    main()
