#!/usr/bin/env bash
# Builds and runs tests/cuda/mae_cuda_check.cpp against a CUDA LibTorch: TORCH_DIR, or the one
# inside the python3 PyTorch on PATH. Needs a GPU; not part of the CTest suite.
#   bash tests/cuda/run_mae_cuda_check.sh [build dir]
set -euo pipefail
source_dir=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-/tmp/medanon-cuda-check}
torch_dir=${TORCH_DIR:-$(python3 -c 'import torch, os; print(os.path.join(torch.utils.cmake_prefix_path, "Torch"))')}
mkdir -p "$build"
cat >"$build/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.18)
project(mae_cuda_check CXX)
set(CMAKE_CXX_STANDARD 17)
find_package(Torch REQUIRED)
add_executable(mae_cuda_check $source_dir/tests/cuda/mae_cuda_check.cpp
  $source_dir/src/mae/mae_model.cpp $source_dir/src/mae/reconstruction.cpp)
target_include_directories(mae_cuda_check PRIVATE $source_dir/src)
target_link_libraries(mae_cuda_check PRIVATE \${TORCH_LIBRARIES})
CMAKE
cmake -S "$build" -B "$build/out" -DTorch_DIR="$torch_dir" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build/out" -j "$(nproc)"
"$build/out/mae_cuda_check"
