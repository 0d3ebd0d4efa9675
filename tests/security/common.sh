# Shared by the security tests: hostile inputs (make_hostile.py), keys, mpirun, PHI greps.
mpirun_cmd=(mpirun --oversubscribe)
if [[ $(id -u) -eq 0 ]]; then mpirun_cmd+=(--allow-run-as-root); fi
system_python=/usr/bin/python3
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
finish() { echo "$1: $failures failed"; exit $((failures > 0)); }

# hostile KIND PATH: writes one hostile input (see make_hostile.py).
hostile() { mkdir -p "$(dirname "$2")" && $system_python -W ignore "$here/make_hostile.py" "$1" "$2" || fail "make $1"; }

# new_key PATH: a fresh 32-byte key, mode 0600.
new_key() { head -c 32 /dev/urandom >"$1" && chmod 600 "$1"; }

# no_phi_in WHAT FILES...: none of the planted PHI strings appears in any byte of FILES.
no_phi_in() {
  local what=$1; shift
  local needle
  for needle in 'DOE^JOHN' 'MRN123456' '19600101' 'John Doe' 'DOE_JOHN' 'MRN123' 'GARCIA' 'MARIA'; do
    if grep -a -i -l -F -- "$needle" "$@" >/dev/null 2>&1; then
      fail "$what: '$needle' found in $(grep -a -i -l -F -- "$needle" "$@" | head -3 | tr "\\n" " ")"
    fi
  done
}

# audit_strings H5: every string of the audit table (errors, outputs, hashes), one per line.
audit_strings() {
  $system_python - "$1" 2>/dev/null <<'PY'
import sys, h5py
with h5py.File(sys.argv[1], "r") as f:
    table = f["audit"][()]
    for name in table.dtype.names:
        for value in table[name]:
            if isinstance(value, bytes):
                print(value.decode("utf-8", "replace"))
    for name, value in f.attrs.items():
        print(f"@{name}={value.decode() if isinstance(value, bytes) else value}")
PY
}
