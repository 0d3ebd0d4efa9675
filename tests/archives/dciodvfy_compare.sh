#!/usr/bin/env bash
# dciodvfy (dicom3tools) error counts of each input and of its `medanon deid` output, file by
# file: the profile must not add errors (PS3.15 E.1.1 asks for valid IODs). Prints one line per
# file and the totals. Usage: [DEID_ARGS=...] dciodvfy_compare.sh MEDANON WORKDIR FILE...
# (DEID_ARGS: extra deid options, e.g. --clean-structured-content)
set -uo pipefail
medanon=$1
work=$2
shift 2
command -v dciodvfy > /dev/null || { echo "dciodvfy not installed (Debian package dicom3tools)" >&2; exit 2; }
rm -rf "$work" && mkdir -p "$work"
printf 'medanon dciodvfy comparison key 0123\n' > "$work/key" && chmod 600 "$work/key"
errors() { dciodvfy "$1" 2>&1 | grep -c '^Error' || true; }
total_in=0 total_out=0 n=0 worse=0
for input in "$@"; do
  n=$((n + 1))
  out="$work/$n"
  "$medanon" deid ${DEID_ARGS:-} --in "$input" --out "$out" --key "$work/key" > /dev/null 2>&1 || continue
  output=$(find "$out" -name '*.dcm' | head -1)
  [[ -n $output ]] || continue
  a=$(errors "$input")
  b=$(errors "$output")
  total_in=$((total_in + a)) total_out=$((total_out + b))
  flag=""
  if ((b > a)); then flag="  MORE"; worse=$((worse + 1)); fi
  printf '%s\t%d\t%d%s\n' "$(basename "$input")" "$a" "$b" "$flag"
done
printf 'total\t%d\t%d\t(%d files with more errors than their input)\n' "$total_in" "$total_out" "$worse"
