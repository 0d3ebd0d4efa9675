#!/usr/bin/env bash
# Benchmark, not a test: header-only de-identification throughput (files/s) of `medanon deid`
# and of GDCM's `gdcmanon` (PS3.15 Basic Profile) on the same synthetic archive, each pinned
# to one core, each as one process over the whole folder, page cache warm. Prints the ratio.
#
#   bash tests/bench/bench_deid.sh [BUILD_DIR] [FILES] [SIZE] [REPEATS]
#
# gdcmanon (Debian libgdcm-tools) is installed here if missing; it is not a medanon dependency.
# gdcmanon -e needs an X.509 certificate (it encrypts the original attributes into the
# Encrypted Attributes Sequence, PS3.15 E.1.1 step 4); a throwaway one is made with openssl.
set -euo pipefail

build=${1:-build}
files=${2:-200}
size=${3:-1024}
repeats=${4:-3}
work=${BENCH_DIR:-/tmp/medanon-bench-deid}
medanon=$(realpath "$build/medanon")

if ! command -v gdcmanon >/dev/null; then
  echo "bench: installing libgdcm-tools for gdcmanon"
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends libgdcm-tools >/dev/null
fi

mkdir -p "$work"
corpus="$work/corpus-$files-$size"
if [[ ! -f "$corpus/ground_truth.json" ]]; then
  echo "bench: generating $files DICOM files of about ${size}px"
  "$medanon" synth --out "$corpus" --count "$files" --size "$size" --dicom-fraction 1 --no-bad-files --overwrite >/dev/null
fi
[[ -f "$work/key" ]] || { head -c 32 /dev/urandom >"$work/key"; chmod 600 "$work/key"; }
[[ -f "$work/cert.pem" ]] || openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/cert.key" -out "$work/cert.pem" \
  -days 1 -subj "/CN=medanon bench" 2>/dev/null

n=$(find "$corpus/archive" -name '*.dcm' | wc -l)
bytes=$(du -sb "$corpus/archive" | cut -f1)
cat $(find "$corpus/archive" -name '*.dcm') >/dev/null  # warm the page cache for both tools

# best <label> <command...>: the fastest of $repeats runs as "wall_seconds cpu_seconds" (CPU =
# user + system: on a shared machine it is the steadier of the two).
best() {
  local label=$1; shift
  local fastest="" fastest_cpu=""
  for ((i = 0; i < repeats; i++)); do
    rm -rf "$work/out-$label"
    /usr/bin/time -f "%e %U %S" -o "$work/$label.time" "$@" >"$work/$label.log" 2>&1 \
      || { echo "bench: $label failed, see $work/$label.log" >&2; tail -5 "$work/$label.log" >&2; exit 1; }
    read -r wall user system <"$work/$label.time"
    local cpu
    cpu=$(echo "$user + $system" | bc -l)
    if [[ -z $fastest ]] || (($(echo "$wall < $fastest" | bc -l))); then fastest=$wall; fi
    if [[ -z $fastest_cpu ]] || (($(echo "$cpu < $fastest_cpu" | bc -l))); then fastest_cpu=$cpu; fi
  done
  echo "$fastest $fastest_cpu"
}

read -r medanon_s medanon_cpu < <(best medanon taskset -c 0 "$medanon" deid --in "$corpus/archive" \
  --out "$work/out-medanon" --key "$work/key")
read -r gdcm_s gdcm_cpu < <(best gdcmanon taskset -c 0 gdcmanon -e --certificate "$work/cert.pem" --continue -r \
  -i "$corpus/archive" -o "$work/out-gdcmanon")
# Start-up alone (an empty folder): medanon starts MPI and loads DCMTK, OpenCV, Tesseract and HDF5
# even for `deid` (LibTorch is a plugin that deid never loads); the per-file rate below leaves it out.
mkdir -p "$work/empty"
read -r medanon_start medanon_start_cpu < <(best medanon-empty "$medanon" deid --in "$work/empty" \
  --out "$work/out-empty" --key "$work/key")
read -r gdcm_start gdcm_start_cpu < <(best gdcmanon-empty gdcmanon -e --certificate "$work/cert.pem" -r \
  -i "$work/empty" -o "$work/out-empty")

medanon_out=$(find "$work/out-medanon" -name '*.dcm' | wc -l)
gdcm_out=$(find "$work/out-gdcmanon" -type f | wc -l)

printf 'bench: %d files, %.1f MB, best of %d runs, one core each\n' "$n" "$(echo "$bytes / 1000000" | bc -l)" "$repeats"
rate() { echo "$n / $1" | bc -l; }
printf 'bench: medanon deid  wall %6.2f s %7.1f files/s   cpu %6.2f s %7.1f files/s  (%d outputs)\n' \
  "$medanon_s" "$(rate "$medanon_s")" "$medanon_cpu" "$(rate "$medanon_cpu")" "$medanon_out"
printf 'bench: gdcmanon -e   wall %6.2f s %7.1f files/s   cpu %6.2f s %7.1f files/s  (%d outputs)\n' \
  "$gdcm_s" "$(rate "$gdcm_s")" "$gdcm_cpu" "$(rate "$gdcm_cpu")" "$gdcm_out"
printf 'bench: ratio medanon/gdcmanon: wall %.2fx, cpu %.2fx\n' "$(echo "$gdcm_s / $medanon_s" | bc -l)" \
  "$(echo "$gdcm_cpu / $medanon_cpu" | bc -l)"
printf 'bench: start-up (empty folder) cpu: medanon %.2f s, gdcmanon %.2f s\n' "$medanon_start_cpu" "$gdcm_start_cpu"
medanon_per_file=$(echo "($medanon_cpu - $medanon_start_cpu) / $n * 1000" | bc -l)
gdcm_per_file=$(echo "($gdcm_cpu - $gdcm_start_cpu) / $n * 1000" | bc -l)
printf 'bench: per file without start-up, cpu: medanon %.2f ms, gdcmanon %.2f ms, ratio %.2fx\n' \
  "$medanon_per_file" "$gdcm_per_file" "$(echo "$gdcm_per_file / $medanon_per_file" | bc -l)"
