# Shared by the MPI test scripts: how to call mpirun on this machine (root, 2 cores).
mpirun_cmd=(mpirun --oversubscribe)
if [[ $(id -u) -eq 0 ]]; then mpirun_cmd+=(--allow-run-as-root); fi
# Debian's system python3 has pydicom/h5py/torch; a pyenv python3 first on PATH does not.
system_python=/usr/bin/python3
