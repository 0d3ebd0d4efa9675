#!/usr/bin/env bash
# The gradient average across real ranks equals one process's gradient on the concatenated batch
# (tests/unit/test_mae_distributed.cpp under mpirun -np 2 and -np 3).
set -u
medanon=$1; source_dir=$2; scratch=$3
source "$source_dir/tests/mpi/common.sh"
tests_binary=$(dirname "$medanon")/tests/medanon_tests
[[ -x $tests_binary ]] || { echo "FAIL: no $tests_binary"; exit 1; }
for ranks in 2 3; do
  "${mpirun_cmd[@]}" -np "$ranks" "$tests_binary" --gtest_filter='MaeDistributed.*' >"$scratch.$ranks.log" 2>&1 \
    || { fail "$ranks ranks"; tail -30 "$scratch.$ranks.log"; }
done
echo "gradient average checks: $failures failed"
exit $((failures > 0))
