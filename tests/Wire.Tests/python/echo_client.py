#!/usr/bin/env python3
"""Drives a wiretest.Echo server (SecureTransmit.Wire's, in the tests) with python grpcio and prints one JSON object
describing what it observed; the C# test checks the values. A failed call is recorded as {"code": NAME, "details": str}.

Usage: echo_client.py --target 127.0.0.1:PORT [--root-cert cert.pem --server-name localhost]
"""
import argparse
import hashlib
import json
import queue
import sys

import grpc


def describe_error(e):
    return {"code": e.code().name, "details": e.details()}


def md_to_json(md):
    out = []
    for k, v in md or ():
        out.append([k, v.hex() if isinstance(v, bytes) else v])
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--target", required=True)
    parser.add_argument("--root-cert")
    parser.add_argument("--server-name", default="localhost")
    args = parser.parse_args()

    options = [("grpc.enable_http_proxy", 0)]
    if args.root_cert:
        with open(args.root_cert, "rb") as f:
            creds = grpc.ssl_channel_credentials(root_certificates=f.read())
        channel = grpc.secure_channel(args.target, creds, options=options + [("grpc.ssl_target_name_override", args.server_name)])
    else:
        channel = grpc.insecure_channel(args.target, options=options)
    grpc.channel_ready_future(channel).result(timeout=15)

    def unary(name):
        return channel.unary_unary("/wiretest.Echo/" + name)

    out = {}

    def run(key, fn):
        try:
            out[key] = fn()
        except grpc.RpcError as e:
            out[key] = describe_error(e)

    payload = bytes(range(256)) * 4
    run("unary", lambda: {"hex": unary("Unary")(payload, timeout=10).hex()})
    run("unary_empty", lambda: {"len": len(unary("Unary")(b"", timeout=10))})

    big = b"a" * 100000
    run("unary_gzip", lambda: {"sha256": hashlib.sha256(
        unary("Unary")(big, timeout=10, compression=grpc.Compression.Gzip)).hexdigest()})

    run("client_stream", lambda: {"text": channel.stream_unary("/wiretest.Echo/ClientStream")(
        iter([b"one", b"two", b"three"]), timeout=10).decode()})

    run("server_stream", lambda: {"messages": [[len(m), m[0]] for m in channel.unary_stream("/wiretest.Echo/ServerStream")(
        b"3,1000", timeout=10)]})

    def bidi_ping_pong():
        # Each request is sent only after the previous echo arrived: proves the server answers mid-stream.
        q = queue.Queue()
        call = channel.stream_stream("/wiretest.Echo/Bidi")(iter(q.get, None), timeout=10)
        echoes = []
        for i in range(5):
            q.put(f"ping {i}".encode())
            echoes.append(next(call).decode())
        q.put(None)
        rest = list(call)
        return {"echoes": echoes, "rest": len(rest)}

    run("bidi", bidi_ping_pong)

    def fail():
        try:
            unary("Fail")("5|nö such thing: 100% ✓ \r\n".encode("utf-8"), timeout=10)
            return {"code": "OK"}
        except grpc.RpcError as e:
            d = describe_error(e)
            d["trailers"] = md_to_json(e.trailing_metadata())
            return d

    run("fail", fail)

    def all_codes():
        seen = {}
        for c in range(1, 17):
            try:
                unary("Fail")(f"{c}|m{c}".encode(), timeout=10)
                seen[str(c)] = "OK"
            except grpc.RpcError as e:
                seen[str(c)] = e.code().name + "|" + e.details()
        return seen

    run("codes", all_codes)

    run("deadline_sleep", lambda: {"reply": unary("Sleep")(b"5000", timeout=0.3).decode()})
    run("deadline_remaining", lambda: {"ms": unary("Deadline")(b"", timeout=5).decode()})

    def metadata():
        _, call = unary("Metadata").with_call(
            b"", timeout=10, metadata=(("x-ascii", "hello world"), ("x-data-bin", b"\x00\x01\xfe\xff")))
        return {"initial": md_to_json(call.initial_metadata()), "trailing": md_to_json(call.trailing_metadata())}

    run("metadata", metadata)

    run("unimplemented_method", lambda: unary("Nope")(b"", timeout=10))
    run("unimplemented_service", lambda: channel.unary_unary("/wiretest.Nope/Unary")(b"", timeout=10))
    run("too_big", lambda: {"len": len(unary("Unary")(b"x" * (5 * 1024 * 1024), timeout=20))})
    run("throw", lambda: unary("Throw")(b"", timeout=10))

    channel.close()
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
