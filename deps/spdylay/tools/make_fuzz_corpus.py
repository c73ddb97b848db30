#!/usr/bin/env python3
"""Regenerates deps/spdylay/fuzz/corpus/ from the golden traces.

Each seed is: 1 selector byte (bits 0-1 protocol: 0 spdy2, 1 spdy3,
2 spdy3.1) followed by frames one side of a recorded session sent.
Usage: make_fuzz_corpus.py GOLDEN_DIR OUT_DIR
"""
import glob
import json
import os
import sys

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
    print("%d seeds" % n)


if __name__ == "__main__":
    main()
