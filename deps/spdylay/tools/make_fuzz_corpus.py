#!/usr/bin/env python3
"""Regenerates deps/spdylay/fuzz/corpus/ from the golden traces.

Each seed is: 1 selector byte (bits 0-1 protocol: 0 spdy2, 1 spdy3,
2 spdy3.1) followed by frames one side of a recorded session sent.
Also writes the limits-* seeds: hand-made floods with selector bit 5 set
(small flood/resource limits in fuzz_session.c), so the fuzzer starts
from inputs that reach every limit.
Usage: make_fuzz_corpus.py GOLDEN_DIR OUT_DIR
"""
import glob
import json
import os
import struct
import sys
import zlib

DICT_HEX = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                        "..", "..", "..", "..", "shared", "spec",
                        "spdy3-dictionary.hex")


def nv_block(pairs):
    out = struct.pack(">I", len(pairs))
    for n, v in pairs:
        out += struct.pack(">I", len(n)) + n + struct.pack(">I", len(v)) + v
    return out


def syn_stream(comp, sid, fin, pairs):
    block = comp.compress(nv_block(pairs)) + comp.flush(zlib.Z_SYNC_FLUSH)
    return (struct.pack(">HHI", 0x8003, 1, ((1 if fin else 0) << 24) |
                        (10 + len(block))) +
            struct.pack(">IIBB", sid, 0, 3 << 5, 0) + block)


def limit_seeds(out, golden):
    dict_path = os.path.join(golden, "..", "..", "spec", "spdy3-dictionary.hex")
    if not os.path.exists(dict_path):
        dict_path = DICT_HEX
    zdict = bytes.fromhex("".join(open(dict_path).read().split()))
    req = [(b":host", b"h"), (b":method", b"GET"), (b":path", b"/"),
           (b":scheme", b"https"), (b":version", b"HTTP/1.1")]

    def comp():
        return zlib.compressobj(9, zlib.DEFLATED, 11, 1, zlib.Z_DEFAULT_STRATEGY,
                                zdict)
    ping = lambda i: struct.pack(">HHII", 0x8003, 6, 4, i)
    rst = lambda i: struct.pack(">HHIII", 0x8003, 3, 8, i, 5)
    settings = struct.pack(">HHIIII", 0x8003, 4, 12, 1, 4, 100)
    empty_data = struct.pack(">II", 1, 0)
    seeds = {}
    seeds["limits-ping-flood"] = bytes([0x22]) + b"".join(ping(2 * i + 1)
                                                          for i in range(6))
    seeds["limits-settings-flood"] = bytes([0x21]) + settings * 6
    c = comp()
    seeds["limits-empty-data"] = (bytes([0x22]) + syn_stream(c, 1, False, req) +
                                  empty_data * 5)
    c = comp()
    seeds["limits-rapid-reset"] = bytes([0x61]) + b"".join(
        syn_stream(c, 2 * i + 1, False, req) + rst(2 * i + 1) for i in range(4))
    c = comp()
    seeds["limits-zlib-bomb"] = (bytes([0x21]) + syn_stream(
        c, 1, True, req + [(b"x-big", b"a" * 100000)]) + syn_stream(c, 3, True, req))
    c = comp()
    seeds["limits-header-list"] = (bytes([0x21]) + syn_stream(
        c, 1, True, req + [(b"x-big", b"b" * 300)]) + syn_stream(c, 3, True, req))
    for name, data in seeds.items():
        with open(os.path.join(out, name), "wb") as fp:
            fp.write(data)
    return len(seeds)

SEL = {"spdy2": 0, "spdy3": 1, "spdy3.1": 2}


def main():
    golden, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    n = 0
    for f in sorted(glob.glob(os.path.join(golden, "*-spdy*.json"))):
        d = json.load(open(f))
        tag = d["protocol"]["tag"]
        base = os.path.basename(f)[:-5]
        for case in d["cases"][:3]:
            for side in ("client", "server"):
                data = bytes.fromhex(case["wire"][side]["hex"])[:4096]
                if not data:
                    continue
                name = "%s-%s-%s" % (base, case["case"], side)
                with open(os.path.join(out, name), "wb") as fp:
                    fp.write(bytes([SEL[tag]]) + data)
                n += 1
            for inj in case.get("injected", []):
                name = "%s-%s-inject" % (base, case["case"])
                with open(os.path.join(out, name), "wb") as fp:
                    fp.write(bytes([SEL[tag]]) + bytes.fromhex(inj["hex"]))
                n += 1
    n += limit_seeds(out, golden)
    print("%d seeds" % n)


if __name__ == "__main__":
    main()
