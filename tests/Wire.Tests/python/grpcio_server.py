#!/usr/bin/env python3
"""securetransmit.v2 served by python grpcio, for the .NET client (TransmitClient on Grpc.Net.Client).

Prints "PORT <n>" once listening on 127.0.0.1, then serves until stdin closes.
 - Handshake/OpenSession: answers PERMISSION_DENIED "python peer: sender <first 8 hex of its identity hash> not allowed".
 - Transmit/Upload: parses every UploadRequest; the first must be a hello with a 16-byte session id and a 32-byte mac.
   For each image (begin ... end) it answers one Receipt numbered from 1 whose `sealed` holds 48 bytes that are NOT a
   valid seal (a forger without the session key). Its trailing metadata "x-parsed" says what it read:
   "hello=<counter>;images=<n>;data_bytes=<total>;max_chunk=<bytes>".
Usage: grpcio_server.py --descriptors descriptors.pb
"""
import argparse
import hashlib
import sys
import threading
from concurrent import futures

import grpc

import protos


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--descriptors", required=True)
    args = ap.parse_args()
    cls = protos.load(args.descriptors)
    OReq, UReq, Receipt = cls("securetransmit.v2.OpenSessionRequest"), cls("securetransmit.v2.UploadRequest"), cls("securetransmit.v2.Receipt")

    def open_session(request, context):
        who = hashlib.sha256(request.sender_identity).hexdigest()[:8]
        context.abort(grpc.StatusCode.PERMISSION_DENIED, f"python peer: sender {who} not allowed")

    def upload(request_iterator, context):
        first = next(request_iterator, None)
        if first is None or first.WhichOneof("part") != "hello" or len(first.hello.mac) != 32 or len(first.hello.session_id) != 16:
            context.abort(grpc.StatusCode.UNAUTHENTICATED, "python peer: no hello")
        images = data = biggest = 0
        for m in request_iterator:
            part = m.WhichOneof("part")
            if part == "data":
                data += len(m.data)
                biggest = max(biggest, len(m.data))
            elif part == "end":
                images += 1
                yield Receipt(sequence=images, sealed=b"\x42" * 48)
        context.set_trailing_metadata((("x-parsed", f"hello={first.hello.call_counter};images={images};data_bytes={data};max_chunk={biggest}"),))

    handlers = [
        grpc.method_handlers_generic_handler("securetransmit.v2.Handshake", {
            "OpenSession": grpc.unary_unary_rpc_method_handler(open_session, request_deserializer=OReq.FromString,
                                                               response_serializer=lambda m: m.SerializeToString())}),
        grpc.method_handlers_generic_handler("securetransmit.v2.Transmit", {
            "Upload": grpc.stream_stream_rpc_method_handler(upload, request_deserializer=UReq.FromString,
                                                            response_serializer=lambda m: m.SerializeToString())}),
    ]
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8), handlers=handlers)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    print(f"PORT {port}", flush=True)
    threading.Thread(target=lambda: (sys.stdin.read(), server.stop(0)), daemon=True).start()
    server.wait_for_termination()


if __name__ == "__main__":
    main()
