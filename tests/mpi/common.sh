# Shared by the MPI test scripts: how to call mpirun on this machine (root, 2 cores).
mpirun_cmd=(mpirun --oversubscribe)
if [[ $(id -u) -eq 0 ]]; then mpirun_cmd+=(--allow-run-as-root); fi
# Debian's system python3 has pydicom/h5py/torch; a pyenv python3 first on PATH does not.
system_python=/usr/bin/python3

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# make_input_corpus MEDANON DIR SYNTH-OPTIONS...: a synthetic corpus in DIR/corpus whose ground
# truth (and mask PNGs) is moved to DIR/truth, out of the input tree; sets $items to the number
# of input files the anonymize job will see.
make_input_corpus() {
  local binary=$1 dir=$2; shift 2
  "$binary" synth --out "$dir/corpus" "$@" >"$dir/synth.log" 2>&1 || fail "synth $*"
  mkdir -p "$dir/truth" && mv "$dir/corpus/ground_truth" "$dir/corpus/ground_truth.json" "$dir/truth/"
  items=$(find "$dir/corpus" -type f \( -name '*.png' -o -name '*.dcm' -o -name '*.jpg' \) | wc -l)
}

# reference_run DIR SPEC: an uninterrupted `mpirun -np 2` run of a job spec into DIR/reference,
# and its digest (tests/mpi/h5_digest.py, exactly-once checked) in DIR/reference.digest.
reference_run() {
  local dir=$1 spec=$2
  "${mpirun_cmd[@]}" -np 2 "$medanon" anonymize --config "$spec" --out "$dir/reference" \
    >"$dir/reference.log" 2>&1 || { fail "reference run exited $?"; tail "$dir/reference.log"; }
  $system_python "$(dirname "${BASH_SOURCE[0]}")/h5_digest.py" "$dir/reference/medanon.h5" "$items" \
    >"$dir/reference.digest" || fail "reference HDF5"
}
