#!/usr/bin/env bash
# README command 2: install what is missing, build, run the whole test suite (ctest).
# Pass ctest arguments through, e.g. `scripts/test.sh -L mpi` for one label.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
if [[ $(id -u) -eq 0 ]]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
cd build
ctest --output-on-failure -j"$(nproc)" "$@"
