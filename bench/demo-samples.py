"""Writes a calibration folder of many samples from the demo's 12 scenes, for benchmarks: each scene listed with
REPEATS states (its own, shifted by 0.01 per repeat), the two cameras' images shared.
Usage: python3 bench/demo-samples.py OUT_DIR REPEATS"""
import json
import shutil
import sys
from pathlib import Path

out, repeats = Path(sys.argv[1]), int(sys.argv[2])
demo = Path(__file__).resolve().parent.parent / "assets" / "demo-calibration"
out.mkdir(parents=True, exist_ok=True)
shutil.copytree(demo / "images", out / "images", dirs_exist_ok=True)
scenes = [json.loads(line) for line in open(demo / "manifest.jsonl")]
with open(out / "manifest.jsonl", "w") as manifest:
    for k in range(repeats):
        for scene in scenes:
            manifest.write(json.dumps(dict(scene, state=[round(v + 0.01 * k, 3) for v in scene["state"]])) + "\n")
