#!/usr/bin/env python3
"""grpcio client against a running SecureTransmit receiver (h2c). Prints one JSON object of observations; the C# test
(PythonInteropTests.cs) decides what is right.

Usage: grpcio_client.py --target 127.0.0.1:PORT --descriptors descriptors.pb
"""
import argparse
import json

import grpc

import protos


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--target", required=True)
    ap.add_argument("--descriptors", required=True)
    args = ap.parse_args()
    cls = protos.load(args.descriptors)
    out = {}
    with grpc.insecure_channel(args.target, options=[("grpc.enable_http_proxy", 0)]) as ch:
        # Standard health checking: the whole server, and each service by name.
        Req, Resp = cls("grpc.health.v1.HealthCheckRequest"), cls("grpc.health.v1.HealthCheckResponse")
        status_name = Resp.DESCRIPTOR.fields_by_name["status"].enum_type.values_by_number
        for name in ["", "securetransmit.v2.Transmit", "securetransmit.v2.Handshake", "no.such.Service"]:
            try:
                r = protos.unary(ch, "/grpc.health.v1.Health/Check", Req(service=name), Resp)
                out["health:" + name] = status_name[r.status].name
            except grpc.RpcError as e:
                out["health:" + name] = e.code().name

        # Server reflection: the list of services, and the file that defines Transmit.
        RReq = cls("grpc.reflection.v1alpha.ServerReflectionRequest")
        RResp = cls("grpc.reflection.v1alpha.ServerReflectionResponse")
        call = ch.stream_stream("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
                                request_serializer=lambda m: m.SerializeToString(), response_deserializer=RResp.FromString)
        replies = list(call(iter([RReq(list_services=""), RReq(file_containing_symbol="securetransmit.v2.Transmit")]), timeout=15))
        out["reflection_services"] = sorted(s.name for s in replies[0].list_services_response.service)
        out["reflection_file_count"] = len(replies[1].file_descriptor_response.file_descriptor_proto)

        # The handshake with a well-formed but unsigned request: refused with a status, not a crash.
        OReq, OResp = cls("securetransmit.v2.OpenSessionRequest"), cls("securetransmit.v2.OpenSessionResponse")
        try:
            protos.unary(ch, "/securetransmit.v2.Handshake/OpenSession",
                         OReq(protocol_version=2, model_name="cae-compact", model_id=b"\0" * 32, cipher_mode="aes-256-gcm"), OResp)
            out["open_session"] = "OK"
        except grpc.RpcError as e:
            out["open_session"] = e.code().name + ": " + e.details()

        # An upload whose hello names a session nobody opened.
        UReq, Receipt = cls("securetransmit.v2.UploadRequest"), cls("securetransmit.v2.Receipt")
        Hello = cls("securetransmit.v2.UploadHello")
        call = ch.stream_stream("/securetransmit.v2.Transmit/Upload", request_serializer=lambda m: m.SerializeToString(),
                                response_deserializer=Receipt.FromString)
        try:
            list(call(iter([UReq(hello=Hello(session_id=b"\1" * 16, call_counter=1, mac=b"\0" * 32))]), timeout=15))
            out["upload_forged_hello"] = "OK"
        except grpc.RpcError as e:
            out["upload_forged_hello"] = e.code().name + ": " + e.details()
    print(json.dumps(out, sort_keys=True))


if __name__ == "__main__":
    main()
