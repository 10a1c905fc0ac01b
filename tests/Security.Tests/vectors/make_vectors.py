#!/usr/bin/python3
"""Independent reference implementation of SecureTransmit's security formats (SECURITY.md).

Writes logistic_keystream.json next to this file. The C# tests compare SecureTransmit.Security
against these values, so this script must never call into the C# code: it re-implements, from the
specification in SECURITY.md, the logistic-map keystream, the parameter derivation, the key
schedule, the handshake transcript encoding and the packet MAC, using only the Python standard
library (floats are IEEE-754 binary64; hashlib/hmac give SHA-256, HMAC and HKDF). The key-wrap
vector also needs AES-256-GCM, taken from the `cryptography` package (Debian: python3-cryptography).

Run:  /usr/bin/python3 tests/Security.Tests/vectors/make_vectors.py
"""
import hashlib
import hmac
import json
import math
import os
import struct
import sys

# ---------------------------------------------------------------------------------------------
# HKDF-SHA256 (RFC 5869), from its definition.

def hkdf_extract(salt: bytes, ikm: bytes) -> bytes:
    if not salt:
        salt = bytes(32)
    return hmac.new(salt, ikm, hashlib.sha256).digest()


def hkdf_expand(prk: bytes, info: bytes, length: int) -> bytes:
    out, block, counter = b"", b"", 1
    while len(out) < length:
        block = hmac.new(prk, block + info + bytes([counter]), hashlib.sha256).digest()
        out += block
        counter += 1
    return out[:length]


def hkdf(ikm: bytes, salt: bytes, info: bytes, length: int) -> bytes:
    return hkdf_expand(hkdf_extract(salt, ikm), info, length)


def self_check_hkdf() -> None:
    # RFC 5869, appendix A.1 (test case 1).
    prk = hkdf_extract(bytes.fromhex("000102030405060708090a0b0c"), bytes([0x0B] * 22))
    assert prk.hex() == "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5", prk.hex()
    okm = hkdf_expand(prk, bytes.fromhex("f0f1f2f3f4f5f6f7f8f9"), 42)
    assert okm.hex() == ("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c"
                         "5db02d56ecc4c5bf34007208d5b887185865"), okm.hex()

# ---------------------------------------------------------------------------------------------
# Labels (ASCII), as listed in SECURITY.md.

OPEN_LABEL = b"securetransmit/v2/open"
ACCEPT_LABEL = b"securetransmit/v2/accept"
SESSION_KEYS_INFO = b"securetransmit/v1 session keys"
SUBKEY_WRAP = b"securetransmit/v1 subkey key-wrap"
SUBKEY_MAC = b"securetransmit/v1 subkey packet-mac"
SUBKEY_AEAD = b"securetransmit/v1 subkey aes-256-gcm"
SUBKEY_LOGISTIC = b"securetransmit/v1 subkey logistic"
LOGISTIC_IMAGE_INFO = b"securetransmit/v1 logistic"
LOGISTIC_PARAMS_LABEL = b"securetransmit/v1 logistic params"
KEY_WRAP_AAD = b"securetransmit/v1 key-wrap"
PACKET_MAC_LABEL = b"securetransmit/v1 packet-mac"

u32 = lambda v: struct.pack(">I", v)
u64 = lambda v: struct.pack(">Q", v)
item = lambda b: u32(len(b)) + b
dbits = lambda d: struct.unpack(">Q", struct.pack(">d", d))[0]
dhex = lambda d: "%016x" % dbits(d)

# ---------------------------------------------------------------------------------------------
# Logistic keystream.

WARM_UP = 1024
BLOCK = 1024                  # expansion is checked over every block of this many iterations
MIN_BLOCK_EXPANSION = 64      # bits of stretching a block must show (finite-time Lyapunov test)
MANTISSA_MASK = (1 << 52) - 1


def orbit(x0: float, r: float, n: int):
    """Returns (status, keystream bytes). status: 'ok', 'out-of-range', 'cycle', 'low-expansion'."""
    m = WARM_UP + (n + 1) // 2
    total = 3 * m
    out = bytearray(n)
    x = x0
    checkpoint, next_checkpoint = x0, 1
    stretch, exp_sum, exp_at_block = 1.0, 0, 0
    for i in range(1, total + 1):
        x = r * x * (1.0 - x)          # evaluated as (r * x) * (1.0 - x)
        if not (0.0 < x < 1.0):
            return "out-of-range", None
        if x == checkpoint:
            return "cycle", None
        if i == next_checkpoint:
            checkpoint, next_checkpoint = x, 2 * next_checkpoint
        # Running product of |f'(x_i)| = |r (1 - 2 x_i)|, kept as stretch * 2^exp_sum, stretch in [1, 2).
        stretch = stretch * abs(r * (1.0 - 2.0 * x))
        if stretch == 0.0:
            return "low-expansion", None
        bits = dbits(stretch)
        exp_sum += ((bits >> 52) & 0x7FF) - 1023
        stretch = struct.unpack(">d", struct.pack(">Q", (bits & MANTISSA_MASK) | (1023 << 52)))[0]
        if i % BLOCK == 0:
            if exp_sum - exp_at_block < MIN_BLOCK_EXPANSION:
                return "low-expansion", None
            exp_at_block = exp_sum
        if WARM_UP < i <= m:
            mant = dbits(x) & MANTISSA_MASK
            k = 2 * (i - WARM_UP - 1)
            out[k] = mant & 0xFF
            if k + 1 < n:
                out[k + 1] = (mant >> 8) & 0xFF
    return "ok", bytes(out)


def derive_params(k_img: bytes, counter: int):
    d = hmac.new(k_img, LOGISTIC_PARAMS_LABEL + u32(counter), hashlib.sha256).digest()
    a = struct.unpack(">Q", d[0:8])[0] >> 11
    b = struct.unpack(">Q", d[8:16])[0] >> 12
    x0 = a * 2.0 ** -53                  # exact
    u = (2 * b + 1) * 2.0 ** -53          # exact, strictly inside (0, 1)
    r = 3.57 + 0.43 * u                   # two IEEE roundings
    ok = (2.0 ** -20 <= x0 <= 1.0 - 2.0 ** -20) and (3.5699 < r < 4.0)
    return x0, r, ok


def keystream(k_img: bytes, n: int):
    for counter in range(64):
        x0, r, ok = derive_params(k_img, counter)
        if not ok:
            continue
        status, ks = orbit(x0, r, n)
        if status == "ok":
            return counter, x0, r, ks
    raise RuntimeError("no usable parameters in 64 tries")

# ---------------------------------------------------------------------------------------------
# Key schedule, image key, packet MAC, transcript.

def subkeys(k_session: bytes, session_id: bytes) -> dict:
    return {
        "key_wrap": hkdf_expand(k_session, SUBKEY_WRAP + session_id, 32),
        "packet_mac": hkdf_expand(k_session, SUBKEY_MAC + session_id, 32),
        "aes_256_gcm": hkdf_expand(k_session, SUBKEY_AEAD + session_id, 32),
        "logistic": hkdf_expand(k_session, SUBKEY_LOGISTIC + session_id, 32),
    }


def image_key(k_logistic: bytes, session_id: bytes, nonce: bytes, latent: bytes) -> bytes:
    return hkdf(k_logistic + hashlib.sha256(latent).digest(), nonce, LOGISTIC_IMAGE_INFO + session_id, 32)


def packet_mac(k_mac: bytes, header: bytes, key_block: bytes, ciphertext: bytes) -> bytes:
    data = PACKET_MAC_LABEL + u32(len(header)) + header + u32(len(key_block)) + key_block \
        + u64(len(ciphertext)) + ciphertext
    return hmac.new(k_mac, data, hashlib.sha256).digest()[:16]


def request_transcript(f: dict) -> bytes:
    return (item(OPEN_LABEL) + item(u32(f["protocol_version"])) + item(f["sender_identity"])
            + item(f["sender_ephemeral"]) + item(f["sender_nonce"]) + item(f["model_name"].encode())
            + item(f["model_id"]) + item(f["cipher_mode"].encode()) + item(u64(f["timestamp_unix_ms"]))
            + item(f["receiver_fingerprint"]))


def response_part(f: dict) -> bytes:
    return (item(ACCEPT_LABEL) + item(f["session_id"]) + item(f["receiver_identity"])
            + item(f["receiver_ephemeral"]) + item(f["receiver_nonce"]) + item(u64(f["expires_unix_ms"]))
            + item(u32(f["max_image_pixels"])))


def det(label: str, n: int) -> bytes:
    """Deterministic test bytes: SHA-256 in counter mode over a label."""
    out = b""
    i = 0
    while len(out) < n:
        out += hashlib.sha256(b"make_vectors " + label.encode() + u32(i)).digest()
        i += 1
    return out[:n]

# ---------------------------------------------------------------------------------------------

def main() -> None:
    self_check_hkdf()
    try:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    except ImportError:
        sys.exit("make_vectors.py needs the 'cryptography' package for the key-wrap vector: "
                 "apt-get install python3-cryptography")

    vectors = {"comment": "Generated by make_vectors.py (independent Python implementation of SECURITY.md). "
                          "Doubles are the IEEE-754 binary64 bit patterns in hex.",
               "warm_up": WARM_UP}

    # 1. Raw orbits for given (x0, r): first 64 keystream bytes after the warm-up, or the degeneracy.
    orbit_cases = [
        (0.1, 3.99), (0.123456789, 3.7), (0.5, 3.9), (0.987654321, 3.5701), (2.0 ** -20, 3.999),
        (0.3, 3.83),            # period-3 window: the orbit settles on an exact cycle
        (0.2, 3.5),             # below the chaotic range: period-4 cycle
        (0.75, 4.0),            # exact fixed point of r = 4: x1 == x0
        (0.5, 4.0),             # 0.5 -> 1.0 -> 0: leaves (0, 1)
        (0.4, 3.6786),          # chaotic
        (0.6, 3.74),            # period-5 window
        (0.35, 3.8285),         # just past the period-3 tangent bifurcation: slow convergence
        # Periodic windows entered only after a long chaotic transient: the orbit passes a short check, then
        # contracts onto a cycle of period 40 / 24 (exact repetition only after ~2500 / ~21700 steps).
        (0.4491138577687903, 3.9424347512158477),
        (0.026902549802460096, 3.632175813646263),
    ]
    vectors["orbits"] = []
    for x0, r in orbit_cases:
        status, ks = orbit(x0, r, 64)
        vectors["orbits"].append({"x0": dhex(x0), "r": dhex(r), "n": 64, "status": status,
                                  "keystream": ks.hex() if ks else None})

    # 2. Image keys -> (counter, x0, r) and the keystream (prefix and SHA-256 of the whole stream).
    vectors["derivations"] = []
    lengths = [1, 64, 333, 4096, 100001]
    for i, n in enumerate(lengths):
        k = det("k_img %d" % i, 32)
        counter, x0, r, ks = keystream(k, n)
        vectors["derivations"].append({"k_img": k.hex(), "n": n, "counter": counter, "x0": dhex(x0),
                                       "r": dhex(r), "prefix": ks[:64].hex(),
                                       "sha256": hashlib.sha256(ks).hexdigest()})
    # Keys whose first parameter set is degenerate, to pin down the re-derivation rule.
    found = 0
    i = 0
    while found < 2:
        k = det("retry %d" % i, 32)
        counter, x0, r, ks = keystream(k, 256)
        if counter > 0:
            x00, r00, _ = derive_params(k, 0)
            vectors["derivations"].append({"k_img": k.hex(), "n": 256, "counter": counter, "x0": dhex(x0),
                                           "r": dhex(r), "prefix": ks[:64].hex(),
                                           "sha256": hashlib.sha256(ks).hexdigest(),
                                           "rejected_x0": dhex(x00), "rejected_r": dhex(r00),
                                           "rejected_status": orbit(x00, r00, 256)[0]})
            found += 1
        i += 1

    # 3. Whole logistic image: session key -> subkeys -> image key -> ciphertext, MAC and key wrap.
    vectors["images"] = []
    for i, n in enumerate([0, 17, 1000]):
        k_session = det("session %d" % i, 32)
        session_id = det("sid %d" % i, 16)
        nonce = det("nonce %d" % i, 16)
        latent = det("latent %d" % i, n)
        sk = subkeys(k_session, session_id)
        k_img = image_key(sk["logistic"], session_id, nonce, latent)
        counter, x0, r, ks = keystream(k_img, n)
        ct = bytes(a ^ b for a, b in zip(latent, ks))
        wrap_nonce = det("wrap nonce %d" % i, 12)
        wrapped = AESGCM(sk["key_wrap"]).encrypt(wrap_nonce, k_img, KEY_WRAP_AAD + session_id)
        key_block = wrap_nonce + wrapped
        assert len(key_block) == 60
        header = b"ST" + bytes([1, 1]) + det("header %d" % i, 20) + key_block
        tag = packet_mac(sk["packet_mac"], header, key_block, ct)
        vectors["images"].append({
            "session_key": k_session.hex(), "session_id": session_id.hex(), "nonce": nonce.hex(),
            "latent": latent.hex(), "subkeys": {k: v.hex() for k, v in sk.items()}, "k_img": k_img.hex(),
            "counter": counter, "x0": dhex(x0), "r": dhex(r), "keystream_prefix": ks[:64].hex(),
            "ciphertext": ct.hex(), "key_block": key_block.hex(), "header": header.hex(), "tag": tag.hex()})

    # 4. Handshake transcript and session key.
    req = {"protocol_version": 2, "sender_identity": det("spki s", 91), "sender_ephemeral": b"\x04" + det("eph s", 64),
           "sender_nonce": det("nonce s", 32), "model_name": "cae-compact", "model_id": det("model", 32),
           "cipher_mode": "logistic", "timestamp_unix_ms": 1767225600123,
           "receiver_fingerprint": det("fp r", 32)}
    resp = {"session_id": det("sid", 16), "receiver_identity": det("spki r", 91),
            "receiver_ephemeral": b"\x04" + det("eph r", 64), "receiver_nonce": det("nonce r", 32),
            "expires_unix_ms": 1767229200123, "max_image_pixels": 16777216}
    t_req = request_transcript(req)
    t_full = t_req + response_part(resp)
    z = det("ecdh z", 32)
    k_session = hkdf(z, hashlib.sha256(t_full).digest(), SESSION_KEYS_INFO, 32)
    hex_fields = lambda f: {k: (v.hex() if isinstance(v, bytes) else v) for k, v in f.items()}
    vectors["handshake"] = {"request": hex_fields(req), "response": hex_fields(resp),
                            "request_transcript": t_req.hex(), "full_transcript": t_full.hex(),
                            "shared_secret": z.hex(), "session_key": k_session.hex(),
                            "subkeys": {k: v.hex() for k, v in subkeys(k_session, resp["session_id"]).items()}}

    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "logistic_keystream.json")
    with open(path, "w") as f:
        json.dump(vectors, f, indent=1)
        f.write("\n")
    print("wrote", path, file=sys.stderr)
    for o in vectors["orbits"]:
        print("  orbit x0=%s r=%s -> %s" % (o["x0"], o["r"], o["status"]), file=sys.stderr)
    for d in vectors["derivations"]:
        print("  derivation n=%d counter=%d" % (d["n"], d["counter"]), file=sys.stderr)


if __name__ == "__main__":
    main()
