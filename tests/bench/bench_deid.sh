#!/usr/bin/env bash
# Benchmark, not a test: header-only de-identification of a real-sized archive (thousands of
# small files) by `medanon deid` and by GDCM's `gdcmanon` (PS3.15 Basic Profile), each as one
# process over the whole folder, page cache warm, in interleaved rounds (the machine's load
# changes between runs; each figure is the best of its rounds). Prints wall time per file (start-up
# included: that is what a user waits for) and the ratio gdcmanon/medanon (> 1: medanon faster).
#
#   bash tests/bench/bench_deid.sh [BUILD_DIR] [FILES] [SIZE] [REPEATS]
#   BASELINE=/path/to/other/build bash tests/bench/bench_deid.sh ...   # also time an older medanon
#
# Runs: gdcmanon and `medanon deid --threads 1` pinned to one core each (the like-for-like
# figure: gdcmanon has no threads), and `medanon deid --threads <cores>` on every core.
# BASELINE is a folder with a `medanon` binary (and its libmedanon.so beside it, found through
# LD_LIBRARY_PATH), timed like `--threads 1`.
# gdcmanon (Debian libgdcm-tools) is installed here if missing; it is not a medanon dependency.
# gdcmanon -e needs an X.509 certificate (it encrypts the original attributes into the
# Encrypted Attributes Sequence, PS3.15 E.1.1 step 4); a throwaway one is made with openssl.
set -euo pipefail

build=${1:-build}
files=${2:-2000}
size=${3:-512}
repeats=${4:-3}
work=${BENCH_DIR:-/tmp/medanon-bench-deid}
medanon=$(realpath "$build/medanon")
cores=$(nproc)

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
find "$corpus/archive" -name '*.dcm' -exec cat {} + >/dev/null  # warm the page cache for every tool
mkdir -p "$work/empty"

# One timed run: "<wall> <cpu>" appended to $work/<label>.times (CPU = user + system).
# OK_RC: a further exit status that counts as success (medanon deid exits 9 on an empty folder).
timed() {
  local label=$1; shift
  rm -rf "$work/out-$label"
  local rc=0
  /usr/bin/time -f "%e %U %S" -o "$work/$label.time" "$@" >"$work/$label.log" 2>&1 || rc=$?
  if [[ $rc -ne 0 && $rc -ne ${OK_RC:-0} ]]; then
    echo "bench: $label failed (exit $rc), see $work/$label.log" >&2; tail -5 "$work/$label.log" >&2; exit 1
  fi
  read -r wall user system < <(tail -1 "$work/$label.time")  # time(1) puts "Command exited with non-zero status" first
  echo "$wall $(echo "$user + $system" | bc -l)" >>"$work/$label.times"
}
# best <label>: the smallest wall and the smallest CPU of its rounds.
best() { sort -g -k1,1 "$work/$1.times" | head -1 | cut -d' ' -f1; sort -g -k2,2 "$work/$1.times" | head -1 | cut -d' ' -f2; }

labels=(gdcmanon medanon medanon-threads medanon-empty gdcmanon-empty)
[[ -n ${BASELINE:-} ]] && labels+=(baseline)
for label in "${labels[@]}"; do rm -f "$work/$label.times"; done
for ((round = 0; round < repeats; round++)); do
  timed gdcmanon taskset -c 0 gdcmanon -e --certificate "$work/cert.pem" --continue -r -i "$corpus/archive" \
    -o "$work/out-gdcmanon"
  timed medanon taskset -c 0 "$medanon" deid --threads 1 --in "$corpus/archive" --out "$work/out-medanon" --key "$work/key"
  if [[ -n ${BASELINE:-} ]]; then
    timed baseline taskset -c 0 env LD_LIBRARY_PATH="$BASELINE" "$BASELINE/medanon" deid --in "$corpus/archive" \
      --out "$work/out-baseline" --key "$work/key"
  fi
  timed medanon-threads "$medanon" deid --threads "$cores" --in "$corpus/archive" --out "$work/out-medanon-threads" \
    --key "$work/key"
  # Start-up alone (an empty folder).
  OK_RC=9 timed medanon-empty taskset -c 0 "$medanon" deid --in "$work/empty" --out "$work/out-medanon-empty" --key "$work/key"
  timed gdcmanon-empty taskset -c 0 gdcmanon -e --certificate "$work/cert.pem" -r -i "$work/empty" \
    -o "$work/out-gdcmanon-empty"
done

medanon_out=$(find "$work/out-medanon" -name '*.dcm' | wc -l)
gdcm_out=$(find "$work/out-gdcmanon" -type f | wc -l)
cmp -s <(cd "$work/out-medanon" && find . -name '*.dcm' -exec sha256sum {} + | sort) \
  <(cd "$work/out-medanon-threads" && find . -name '*.dcm' -exec sha256sum {} + | sort) \
  || echo "bench: WARNING: --threads $cores wrote other bytes than --threads 1"

printf 'bench: %d files, %.1f MB, best of %d interleaved rounds; load average before: %s\n' "$n" \
  "$(echo "$bytes / 1000000" | bc -l)" "$repeats" "$(cut -d' ' -f1-3 /proc/loadavg)"
mapfile -t g < <(best gdcmanon)
per_file() { echo "$1 / $n * 1000" | bc -l; }
report() {
  local label=$1 what=$2
  mapfile -t m < <(best "$label")
  printf 'bench: %-34s wall %7.2f s = %6.3f ms/file   cpu %7.2f s = %6.3f ms/file   wall ratio %.2fx\n' "$what" \
    "${m[0]}" "$(per_file "${m[0]}")" "${m[1]}" "$(per_file "${m[1]}")" "$(echo "${g[0]} / ${m[0]}" | bc -l)"
}
report gdcmanon "gdcmanon -e (1 core, $gdcm_out outputs)"
report medanon "medanon deid (1 core, $medanon_out out)"
[[ -n ${BASELINE:-} ]] && report baseline "baseline medanon deid (1 core)"
report medanon-threads "medanon deid --threads $cores"
mapfile -t me < <(best medanon-empty)
mapfile -t ge < <(best gdcmanon-empty)
printf 'bench: start-up (empty folder): medanon wall %.2f s cpu %.2f s, gdcmanon wall %.2f s cpu %.2f s\n' \
  "${me[0]}" "${me[1]}" "${ge[0]}" "${ge[1]}"
