"""Independent safetensors reader for Plateau's tests: prints the header and a SHA-256 of every tensor's bytes.

Usage: python3 safetensors_digest.py FILE  ->  JSON {"metadata": {...}, "header_length": N, "tensors": {name: {...}}}
Only the standard library; written from the format's specification, not from Plateau's code.
"""
import hashlib
import json
import struct
import sys


def main(path):
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n].decode("utf-8"))
    data = blob[8 + n:]
    out = {"metadata": header.pop("__metadata__", {}), "header_length": n, "tensors": {}}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        out["tensors"][name] = {
            "dtype": info["dtype"],
            "shape": info["shape"],
            "sha256": hashlib.sha256(data[begin:end]).hexdigest(),
        }
    covered = sum(e - b for b, e in (t["data_offsets"] for t in header.values()))
    out["data_bytes"] = len(data)
    out["covered_bytes"] = covered
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
