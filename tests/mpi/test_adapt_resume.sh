#!/usr/bin/env bash
# `medanon adapt` on 2 ranks: fine-tuning then calibration on held-apart normal images, in one
# job. A run whose ranks are SIGKILLed after a mid-run checkpoint, run again with the same
# command, resumes the fine-tuning and ends with the same weights (bit for bit), the same
# calibration and a report; every output a site needs is there, nothing partial is left. The
# calibration is with the object prior, fine-tuned on the site by both ranks (a few steps here):
# of object_peak, naming the prior beside it, which the rerun trains again to the same bytes.
set -u
medanon=$1; source_dir=$2; scratch=$3
source "$source_dir/tests/mpi/common.sh"
source "$source_dir/tests/mpi/train_common.sh"
rm -rf "$scratch"; mkdir -p "$scratch"
make_train_corpus "$medanon" "$scratch"
adapt() {
  echo adapt --corpus "$scratch/corpus" --out "$1" --model mae_vit_tiny_test --init-checkpoint none --device cpu \
    --threads 1 --batch-size 4 --epochs 10 --warmup-epochs 1 --blr 0.05 --log-every 0 --seed 3 \
    --train-fraction 0.6 --validation-fraction 0.05 --checkpoint-every 2 --trials 2 \
    --object-prior "$source_dir/models/fo_prior_synth.pth" --object-prior-steps 4
}
threshold() { $system_python -c "import json,sys; print(json.load(open(sys.argv[1]))['threshold'])" "$1"; }

"${mpirun_cmd[@]}" -np 2 "$medanon" $(adapt "$scratch/reference") >"$scratch/reference.log" 2>&1 \
  || { fail "reference run exited $?"; tail "$scratch/reference.log"; }
for file in model.pth model.threshold.json model.threshold.stats.yml.gz adapt-report.json object_prior.pth; do
  [[ -s $scratch/reference/$file ]] || fail "reference: no $file"
done
grep -q "calibrating on [0-9]* normal images of patients held apart" "$scratch/reference.log" \
  || fail "reference: no calibration on held-apart patients"
$system_python - "$scratch/reference/adapt-report.json" <<'PY' || fail "reference: report"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["calibration"]["score"] == "object_peak" and r["calibration"]["threshold"] > 0, r
t = json.load(open(sys.argv[1].replace("adapt-report.json", "model.threshold.json")))
assert t["object_prior"] == "object_prior.pth" and t["z_peak_threshold"] > 0, t
assert r["calibration"]["normal_images"] >= 4 and r["training"]["epochs"] == 10, r
p = r["object_prior"]
assert p["site_steps"] == 4 and p["site_images"] == r["training"]["train_images"] and p["object_layers"] > 0, p
assert not p["kept_from_an_earlier_run"], p
PY
grep -q "object prior fine-tuned on the site: 4 steps" "$scratch/reference.log" || fail "reference: the prior was not fine-tuned"

out=$scratch/killed
"${mpirun_cmd[@]}" -np 2 "$medanon" $(adapt "$out") >"$out.first.log" 2>&1 &
launcher=$!
wait_for_checkpoint "$out/train" 8 || fail "no checkpoint appeared"
pids=($(rank_pids "$launcher" "$out"))
kill -9 "${pids[@]}"
wait "$launcher" 2>/dev/null
grep -q "adapt: complete" "$out.first.log" && fail "the run ended before the kill"
[[ -e $out/model.pth ]] && fail "a killed run left an adapted model"
"${mpirun_cmd[@]}" -np 2 "$medanon" $(adapt "$out") >"$out.resume.log" 2>&1 \
  || { fail "rerun exited $?"; tail "$out.resume.log"; }
grep -q "resumed from .*checkpoint-" "$out.resume.log" || fail "the rerun did not resume the fine-tuning"
cmp -s "$scratch/reference/model.pth" "$out/model.pth" || fail "resumed weights differ from the uninterrupted run's"
cmp -s "$scratch/reference/object_prior.pth" "$out/object_prior.pth" \
  || fail "the rerun's fine-tuned prior differs from the uninterrupted run's"
[[ $(threshold "$out/model.threshold.json") == $(threshold "$scratch/reference/model.threshold.json") ]] \
  || fail "the calibration differs from the uninterrupted run's"
# run again over a complete output: the prior fine-tuned with these settings is kept, not trained again
"${mpirun_cmd[@]}" -np 2 "$medanon" $(adapt "$out") >"$out.again.log" 2>&1 || fail "a run over a complete output exited $?"
grep -q "is already adapted with these settings; kept" "$out.again.log" || fail "the adapted prior was trained again"
cmp -s "$scratch/reference/object_prior.pth" "$out/object_prior.pth" || fail "the kept prior changed"
[[ -z $(find "$out" -name '*.tmp*') ]] || fail "partial files survived"

# Too few held-apart patients: every rank stops with the reason, no abort, exit 3.
"${mpirun_cmd[@]}" -np 2 "$medanon" $(adapt "$scratch/few") --train-fraction 0.95 --validation-fraction 0.04 \
  >"$scratch/few.log" 2>&1
code=$?
[[ $code == 3 ]] || { fail "too few calibration images: exit $code, expected 3"; tail "$scratch/few.log"; }
grep -q "calibration needs at least 4" "$scratch/few.log" || fail "too few calibration images: no reason given"

((failures == 0)) && echo "PASS" || exit 1
