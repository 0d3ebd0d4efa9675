#!/usr/bin/env bash
# Exact resume of data-parallel training: a 2-rank run whose ranks get SIGKILLed mid-run (one
# rank, then all) and that is resumed with --resume on 2 ranks ends with weights and optimizer
# state bit-identical to an uninterrupted run. A run stopped by SIGUSR1 (forwarded by mpirun)
# checkpoints and exits 6, and resumes on 1 and on 4 ranks (same global batch; not bit-exact by
# design): both complete all steps. SIGUSR1 to a single rank stops the whole job the same way.
set -u
medanon=$1; source_dir=$2; scratch=$3
source "$source_dir/tests/mpi/common.sh"
source "$source_dir/tests/mpi/train_common.sh"
rm -rf "$scratch"; mkdir -p "$scratch"
make_train_corpus "$medanon" "$scratch"
epochs=12  # 5 steps per epoch: 60 steps
train() { tiny_train_options "$scratch/corpus" "$1"; echo --epochs $epochs --checkpoint-every 3 --keep-checkpoints 2; }

"${mpirun_cmd[@]}" -np 2 "$medanon" $(train "$scratch/reference") >"$scratch/reference.log" 2>&1 \
  || { fail "reference run exited $?"; tail "$scratch/reference.log"; }
reference=$(summary_digest "$scratch/reference.log")
[[ -n $reference ]] || fail "no digest in the reference run"

# SIGKILL mid-run, resume on the same world size: bit for bit
for victim in one all; do
  out=$scratch/kill-$victim
  "${mpirun_cmd[@]}" -np 2 "$medanon" $(train "$out") >"$out.first.log" 2>&1 &
  launcher=$!
  wait_for_checkpoint "$out" 27 || fail "$victim: no checkpoint appeared"  # 27: mid-epoch (5 steps each)
  pids=($(rank_pids "$launcher" "$out"))
  if [[ $victim == one ]]; then kill -9 "${pids[$((RANDOM % ${#pids[@]}))]}"; else kill -9 "${pids[@]}"; fi
  wait "$launcher" 2>/dev/null
  grep -q "train: complete" "$out.first.log" && fail "$victim: the run ended before the kill"
  [[ -e $out/model.pth ]] && fail "$victim: a killed run exported weights"
  "${mpirun_cmd[@]}" -np 2 "$medanon" $(train "$out") --resume >"$out.resume.log" 2>&1 \
    || { fail "$victim: resume exited $?"; tail "$out.resume.log"; }
  grep -q "resumed from .*checkpoint-" "$out.resume.log" || fail "$victim: did not resume from a checkpoint"
  [[ $(summary_digest "$out.resume.log") == "$reference" ]] || fail "$victim: resumed weights differ from the uninterrupted run"
  cmp -s "$scratch/reference/model.pth" "$out/model.pth" || fail "$victim: model.pth differs from the uninterrupted run's"
  [[ $(ls "$out"/checkpoint-*.pth | wc -l) == 2 ]] || fail "$victim: --keep-checkpoints 2 not honoured"
  [[ -z $(find "$out" -name '*.tmp*') ]] || fail "$victim: partial files survived"
done

# SIGUSR1 to mpirun: every rank finishes its step, one checkpoint, exit 6; then other world sizes
out=$scratch/usr1
"${mpirun_cmd[@]}" -np 2 "$medanon" $(train "$out") >"$out.first.log" 2>&1 &
launcher=$!
wait_for_checkpoint "$out" 12 || fail "usr1: no checkpoint appeared"
kill -USR1 "$launcher"
wait "$launcher"
code=$?
[[ $code == 6 ]] || { fail "usr1: exited $code, expected 6"; tail "$out.first.log"; }
grep -q "STOPPED" "$out.first.log" || fail "usr1: no STOPPED summary"
stopped_at=$(summary_steps "$out.first.log")
[[ -n $stopped_at && $stopped_at -lt $((epochs * 5)) ]] || fail "usr1: stopped at '$stopped_at' steps"
[[ -e $out/$(printf 'checkpoint-%08d.pth' "${stopped_at:-0}") ]] || fail "usr1: no checkpoint at the stopping step"
cp -r "$out" "$out-4"
"${mpirun_cmd[@]}" -np 2 "$medanon" $(train "$out") --resume >"$out.same.log" 2>&1 || fail "usr1: same-size resume exited $?"
[[ $(summary_digest "$out.same.log") == "$reference" ]] || fail "usr1: resumed weights differ from the uninterrupted run"
for ranks in 1 4; do
  dir=$out-$ranks; [[ $ranks == 1 ]] && { rm -rf "$dir"; cp -r "$out-4" "$dir"; }
done
for ranks in 1 4; do
  dir=$out-$ranks
  "${mpirun_cmd[@]}" -np $ranks "$medanon" $(train "$dir") --resume >"$dir.log" 2>&1 \
    || { fail "resume on $ranks rank(s) exited $?"; tail "$dir.log"; }
  grep -q "other world size" "$dir.log" || fail "$ranks ranks: the world-size change was not reported"
  grep -q "global batch 8 ($((8 / ranks)) per rank)" "$dir.log" || fail "$ranks ranks: global batch not kept at 8"
  [[ $(summary_steps "$dir.log") == $((epochs * 5)) ]] || fail "$ranks ranks: did not complete all steps"
  [[ -e $dir/model.pth ]] || fail "$ranks ranks: no model.pth"
done

# SIGUSR1 to one rank only: the stop is a collective decision, so every rank stops after the same
# step and the job still exits 6 with one checkpoint (no hang, no MPI_Abort).
out=$scratch/usr1-one-rank
"${mpirun_cmd[@]}" -np 2 "$medanon" $(train "$out") >"$out.log" 2>&1 &
launcher=$!
wait_for_checkpoint "$out" 12 || fail "usr1 one rank: no checkpoint appeared"
pids=($(rank_pids "$launcher" "$out"))
kill -USR1 "${pids[1]}"
wait "$launcher"
code=$?
[[ $code == 6 ]] || { fail "usr1 one rank: exited $code, expected 6"; tail "$out.log"; }
stopped_at=$(summary_steps "$out.log")
[[ -e $out/$(printf 'checkpoint-%08d.pth' "${stopped_at:-0}") ]] || fail "usr1 one rank: no checkpoint at the stopping step"

echo "train resume checks: $failures failed"
exit $((failures > 0))
