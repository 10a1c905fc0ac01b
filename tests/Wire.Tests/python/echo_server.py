#!/usr/bin/env python3
"""wiretest.Echo served by python grpcio with raw-bytes (identity) serializers: the peer for SecureTransmit.Wire's client.

Prints "PORT <n>" on stdout once listening on 127.0.0.1, then serves until stdin closes (the test process ends) or
the process is killed.

Methods (identical semantics in the C# test service, EchoService.cs):
  Unary(bytes) -> the request bytes
  ClientStream(stream bytes) -> ASCII "count=<n>;bytes=<total>;sha256=<hex of the concatenation>"
  ServerStream(ASCII "count,size") -> count messages; message i is `size` bytes all equal to i % 256
  Bidi(stream bytes) -> each request echoed as soon as it arrives
  Fail(UTF-8 "code|message") -> fails with that status and message, trailers fail-info=yes, fail-info-bin=00ff
  Sleep(ASCII milliseconds) -> waits (stops early when the call is cancelled or its deadline passes), returns b"slept"
  Deadline(empty) -> ASCII milliseconds left until the call's deadline, or b"none"
  Metadata(empty) -> empty; every request key starting with "x-" is sent back as initial metadata under the same key
                     and as trailing metadata under "t-" + key
"""
import argparse
import hashlib
import sys
import threading
import time
from concurrent import futures

import grpc

CODES = {c.value[0]: c for c in grpc.StatusCode}


def unary(request, context):
    return request


def client_stream(request_iterator, context):
    h = hashlib.sha256()
    count = 0
    total = 0
    for msg in request_iterator:
        count += 1
        total += len(msg)
        h.update(msg)
    return f"count={count};bytes={total};sha256={h.hexdigest()}".encode()


def server_stream(request, context):
    count, size = (int(x) for x in request.decode().split(","))
    for i in range(count):
        yield bytes([i % 256]) * size


def bidi(request_iterator, context):
    for msg in request_iterator:
        yield msg


def fail(request, context):
    code, _, message = request.decode("utf-8").partition("|")
    context.set_trailing_metadata((("fail-info", "yes"), ("fail-info-bin", b"\x00\xff")))
    context.abort(CODES[int(code)], message)


def sleep(request, context):
    end = time.monotonic() + int(request.decode()) / 1000.0
    while time.monotonic() < end and context.is_active():
        time.sleep(0.01)
    return b"slept"


def deadline(request, context):
    remaining = context.time_remaining()
    # grpcio reports an effectively infinite number of seconds when the call has no deadline.
    if remaining is None or remaining > 10 ** 7:
        return b"none"
    return str(int(remaining * 1000)).encode()


def metadata(request, context):
    echoed = [(k, v) for k, v in context.invocation_metadata() if k.startswith("x-")]
    context.send_initial_metadata(echoed)
    context.set_trailing_metadata([("t-" + k, v) for k, v in echoed])
    return b""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cert", help="PEM certificate chain (enables TLS)")
    parser.add_argument("--key", help="PEM private key")
    parser.add_argument("--gzip", action="store_true", help="compress responses with gzip when the client accepts it")
    args = parser.parse_args()

    handlers = {
        "Unary": grpc.unary_unary_rpc_method_handler(unary),
        "ClientStream": grpc.stream_unary_rpc_method_handler(client_stream),
        "ServerStream": grpc.unary_stream_rpc_method_handler(server_stream),
        "Bidi": grpc.stream_stream_rpc_method_handler(bidi),
        "Fail": grpc.unary_unary_rpc_method_handler(fail),
        "Sleep": grpc.unary_unary_rpc_method_handler(sleep),
        "Deadline": grpc.unary_unary_rpc_method_handler(deadline),
        "Metadata": grpc.unary_unary_rpc_method_handler(metadata),
    }
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=16),
        handlers=[grpc.method_handlers_generic_handler("wiretest.Echo", handlers)],
        compression=grpc.Compression.Gzip if args.gzip else None,
    )
    if args.cert:
        with open(args.cert, "rb") as f:
            cert = f.read()
        with open(args.key, "rb") as f:
            key = f.read()
        port = server.add_secure_port("127.0.0.1:0", grpc.ssl_server_credentials([(key, cert)]))
    else:
        port = server.add_insecure_port("127.0.0.1:0")
    if port == 0:
        print("ERROR could not bind", flush=True)
        return 2
    server.start()
    print(f"PORT {port}", flush=True)

    # Serve until the parent closes stdin (or kills us).
    done = threading.Event()

    def watch_stdin():
        try:
            sys.stdin.read()
        finally:
            done.set()

    threading.Thread(target=watch_stdin, daemon=True).start()
    done.wait()
    server.stop(0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
