#!/usr/bin/env bash
# MAE inference throughput, C++ (LibTorch) against PyTorch eager (Debian's python3-torch): the
# same weights, inputs, grid masks (4 trials), threads and batch; outputs must agree within 1e-4.
# Not a ctest test (timings on shared machines are not pass/fail).
#
# usage: tests/bench/bench_mae_inference.sh [BUILD_DIR] [MODEL] [BATCH] [THREADS] [REPEATS]
#   MODEL: mae_vit_base_patch16 (default) or mae_vit_small_synth
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="${1:-$here/../../build}"
model="${2:-mae_vit_base_patch16}"
batch="${3:-8}"
threads="${4:-1}"
repeats="${5:-3}"
python=/usr/bin/python3  # Debian's, with python3-torch (a pyenv python3 first on PATH lacks it)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

"$python" "$here/bench_mae_pytorch.py" prepare "$work" "$model" "$batch"
OMP_NUM_THREADS="$threads" "$python" "$here/bench_mae_pytorch.py" run "$work" "$threads" "$repeats"
OMP_NUM_THREADS="$threads" MEDANON_BENCH_CHECKPOINT="$work/weights.pth" MEDANON_BENCH_INPUTS="$work/inputs.pth" \
  MEDANON_BENCH_OUT="$work/cpp.pth" MEDANON_BENCH_THREADS="$threads" MEDANON_BENCH_REPEATS="$repeats" \
  "$build/tests/medanon_tests" --gtest_also_run_disabled_tests \
  --gtest_filter='MaeBenchmark.DISABLED_GridMaskedReconstructionThroughput' | grep -E "C\+\+ LibTorch|FAILED|error" || true
"$python" "$here/bench_mae_pytorch.py" compare "$work"
