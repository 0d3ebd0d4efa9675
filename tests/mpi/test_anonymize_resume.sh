#!/usr/bin/env bash
# Kill tests: a 3-rank `medanon anonymize` is SIGKILLed at different moments (one rank, or
# every rank; with flushes every 50 ms so kills also land inside HDF5 writes), then resumed with
# another world size. Each kill waits for a condition (so many items finished, as the ranks'
# logs say), never a fixed time, and a run that finished before its kill fails the test. Every item must end exactly once in the HDF5 file and in --out, no partial
# output may survive, h5dump must read the file, and the result must equal an uninterrupted run.
set -u
medanon=$1; source_dir=$2; scratch=$3
source "$(dirname "$0")/common.sh"
rm -rf "$scratch"; mkdir -p "$scratch"

make_input_corpus "$medanon" "$scratch" --count 36 --size 1024 --seed 21 --dicom-fraction 0.2
anonymize=(anonymize --input "$scratch/corpus" --insecure-key --flush-seconds 0.05 --progress-seconds 1000)

"${mpirun_cmd[@]}" -np 2 "$medanon" "${anonymize[@]}" --out "$scratch/reference" >/dev/null 2>&1
$system_python "$(dirname "$0")/h5_digest.py" "$scratch/reference/medanon.h5" "$items" >"$scratch/reference.digest" \
  || fail "reference run"

# finished_items OUT: items the first attempt has finished so far (one rank-log line each,
# written right after the item's journal record).
finished_items() { cat "$1"/.medanon/rank-*.log 2>/dev/null | wc -l; }

# kill point (items finished, of 36) and whom to kill
scenarios=("2 one" "9 all" "17 one" "26 all")
n=0
for scenario in "${scenarios[@]}"; do
  read -r after victim <<<"$scenario"
  n=$((n + 1))
  out="$scratch/run$n"
  "${mpirun_cmd[@]}" -np 3 "$medanon" "${anonymize[@]}" --out "$out" >"$out.first.log" 2>&1 &
  launcher=$!
  for _ in $(seq 6000); do
    (($(finished_items "$out") >= after)) && break
    kill -0 "$launcher" 2>/dev/null || break
    sleep 0.01
  done
  ranks=($(pgrep -f -- "--out $out\$" | sort -n))
  # pgrep also matches mpirun itself; its children are the ranks
  ranks=($(for pid in "${ranks[@]}"; do [[ $pid != "$launcher" ]] && echo "$pid"; done))
  if [[ ${#ranks[@]} -eq 0 ]]; then
    fail "run $n finished before the kill after $after items: the kill tested nothing"
  elif [[ $victim == one ]]; then
    kill -9 "${ranks[$((RANDOM % ${#ranks[@]}))]}" 2>/dev/null
  else
    kill -9 "${ranks[@]}" 2>/dev/null
  fi
  # Open MPI's mpirun has been seen to hang in its teardown after a SIGKILLed rank, with every
  # rank already gone: give it 60 s (it normally exits within a second), then end it and any
  # rank left, as a scheduler would, so the resume below is the only writer.
  for _ in $(seq 600); do kill -0 "$launcher" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$launcher" 2>/dev/null
  pkill -9 -f -- "--out $out\$" 2>/dev/null
  wait $launcher 2>/dev/null
  # resume with a different world size
  "${mpirun_cmd[@]}" -np 2 "$medanon" "${anonymize[@]}" --out "$out" >"$out.resume.log" 2>&1
  code=$?
  [[ $code -eq 0 || $code -eq 4 ]] || { fail "run $n: resume exited $code"; tail -5 "$out.resume.log"; }
  $system_python "$(dirname "$0")/h5_digest.py" "$out/medanon.h5" "$items" >"$out.digest" || fail "run $n: HDF5 check"
  cmp -s "$scratch/reference.digest" "$out.digest" || fail "run $n (kill $victim after $after items): HDF5 differs from the uninterrupted run"
  grep -q "attempt 1 item" "$out"/.medanon/rank-*.log || fail "run $n: the resume processed nothing: was anything killed?"
  diff -r -x .medanon -x medanon.h5 "$scratch/reference" "$out" >/dev/null || fail "run $n: output files differ"
  [[ -z $(find "$out" -name '*.medanon-tmp.*') ]] || fail "run $n: partial files survived"
  h5dump -H "$out/medanon.h5" >/dev/null 2>&1 || fail "run $n: h5dump cannot read the file"
  grep -q "attempt" "$out.resume.log" || true
done

echo "kill/resume checks: $failures failed"
exit $((failures > 0))
