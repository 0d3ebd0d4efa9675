#!/usr/bin/env bash
# Kill tests: a 3-rank `medanon anonymize` is SIGKILLed at different moments (one rank, or
# every rank; with flushes every 50 ms so kills also land inside HDF5 writes), then resumed with
# another world size. Every item must end exactly once in the HDF5 file and in --out, no partial
# output may survive, h5dump must read the file, and the result must equal an uninterrupted run.
set -u
medanon=$1; source_dir=$2; scratch=$3
source "$(dirname "$0")/common.sh"
rm -rf "$scratch"; mkdir -p "$scratch"

make_input_corpus "$medanon" "$scratch" --count 36 --size 1400 --seed 21 --dicom-fraction 0.2
anonymize=(anonymize --input "$scratch/corpus" --insecure-key --flush-seconds 0.05 --progress-seconds 1000)

"${mpirun_cmd[@]}" -np 2 "$medanon" "${anonymize[@]}" --out "$scratch/reference" >/dev/null 2>&1
$system_python "$(dirname "$0")/h5_digest.py" "$scratch/reference/medanon.h5" "$items" >"$scratch/reference.digest" \
  || fail "reference run"

# kill point (seconds after start) and whom to kill
scenarios=("0.4 one" "0.9 all" "1.5 one" "2.2 all")
n=0
for scenario in "${scenarios[@]}"; do
  read -r delay victim <<<"$scenario"
  n=$((n + 1))
  out="$scratch/run$n"
  "${mpirun_cmd[@]}" -np 3 "$medanon" "${anonymize[@]}" --out "$out" >"$out.first.log" 2>&1 &
  launcher=$!
  sleep "$delay"
  ranks=($(pgrep -f -- "--out $out\$" | sort -n))
  # pgrep also matches mpirun itself; its children are the ranks
  ranks=($(for pid in "${ranks[@]}"; do [[ $pid != "$launcher" ]] && echo "$pid"; done))
  if [[ ${#ranks[@]} -eq 0 ]]; then
    echo "note: run $n finished before the kill at ${delay}s"
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
  cmp -s "$scratch/reference.digest" "$out.digest" || fail "run $n (kill $victim at ${delay}s): HDF5 differs from the uninterrupted run"
  diff -r -x .medanon -x medanon.h5 "$scratch/reference" "$out" >/dev/null || fail "run $n: output files differ"
  [[ -z $(find "$out" -name '*.medanon-tmp.*') ]] || fail "run $n: partial files survived"
  h5dump -H "$out/medanon.h5" >/dev/null 2>&1 || fail "run $n: h5dump cannot read the file"
  grep -q "attempt" "$out.resume.log" || true
done

echo "kill/resume checks: $failures failed"
exit $((failures > 0))
