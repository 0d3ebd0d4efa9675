#!/usr/bin/env bash
# Data-parallel `medanon train` under mpirun: every rank holds bit-identical weights after every
# step (the digests each rank logs must agree), the exported model.pth is a state dict PyTorch
# loads under its own names, `medanon infer` and `medanon anonymize` run with it, a non-finite loss stops every rank
# with exit code 7 without writing a model, and a checkpoint that cannot be written stops every rank with exit 1.
set -u
medanon=$1; source_dir=$2; scratch=$3
source "$source_dir/tests/mpi/common.sh"
source "$source_dir/tests/mpi/train_common.sh"
rm -rf "$scratch"; mkdir -p "$scratch"
make_train_corpus "$medanon" "$scratch"

# --- identical weights on every rank after every step (3 ranks: a non-power-of-two reduction)
out=$scratch/three
"${mpirun_cmd[@]}" -np 3 "$medanon" --log-level debug $(tiny_train_options "$scratch/corpus" "$out") --epochs 3 \
  --check-every 1 --bucket-mb 0.004 >"$out.log" 2>&1 || { fail "3-rank run exited $?"; tail "$out.log"; }
steps=$(summary_steps "$out.log")
[[ $steps == 9 ]] || fail "expected 9 steps (42 images, global batch 12, 3 epochs), got '$steps'"
for step in $(seq 1 "${steps:-0}"); do
  digests=$(sed -n "s/.*rank \([0-9]\)\] debug: step $step weights digest \([0-9a-f]*\)/\1 \2/p" "$out.log" | sort -u)
  ranks=$(cut -d' ' -f1 <<<"$digests" | sort -u | wc -l)
  distinct=$(cut -d' ' -f2 <<<"$digests" | sort -u | wc -l)
  [[ $ranks == 3 && $distinct == 1 ]] || fail "step $step: digests of ranks differ or missing: $(tr '\n' ' ' <<<"$digests")"
done
grep -q "validation loss" "$out.log" || fail "no validation metrics logged"
[[ $(wc -l <"$out/metrics.csv") == 4 ]] || fail "metrics.csv should hold a header and 3 epochs"

# --- the export: a plain state dict under PyTorch's names, loadable into the reference model
if [[ -x $system_python ]] && $system_python -c "import torch" 2>/dev/null; then
  PYTHONPATH=$source_dir/tests/mae $system_python - "$out/model.pth" "$out" <<'PY' || fail "model.pth does not load in PyTorch"
import glob, sys, torch
from reference_mae import MaskedAutoencoderViT
state = torch.load(sys.argv[1])
model = MaskedAutoencoderViT(img_size=32, patch_size=8, in_chans=1, embed_dim=32, depth=2, num_heads=4,
                             decoder_embed_dim=16, decoder_depth=1, decoder_num_heads=2)
model.load_state_dict(state, strict=True)  # every key present, none unexpected, shapes equal
checkpoint = torch.load(sorted(glob.glob(sys.argv[2] + "/checkpoint-*.pth"))[-1])
assert checkpoint["format"] == "medanon-mae-checkpoint" and checkpoint["version"] == 2
assert checkpoint["world_size"] == 3 and checkpoint["global_batch"] == 12 and checkpoint["iteration"] == 9
for name, tensor in state.items():
    assert torch.equal(tensor, checkpoint["model"][name]), name
print("model.pth: %d tensors loaded strictly" % len(state))
PY
else
  echo "note: no /usr/bin/python3 with torch, export not checked in Python"
fi
# infer takes it as is: the architecture is recognised from the tensors' shapes
"$medanon" infer --input "$scratch/corpus" --out "$scratch/infer" --checkpoint "$out/model.pth" \
  --device cpu --limit 6 >"$scratch/infer.log" 2>&1 || { fail "infer with model.pth exited $?"; tail "$scratch/infer.log"; }
grep -q "mae_vit_tiny_test.*all 50 tensors loaded" "$scratch/infer.log" || fail "infer did not recognise the tiny model"
[[ $(wc -l <"$scratch/infer/scores.csv") -ge 7 ]] || fail "infer wrote no scores"

# ... and so does anonymize's foreign-object stage (which works at 224 px: the small model)
out=$scratch/small
"${mpirun_cmd[@]}" -np 2 "$medanon" $(tiny_train_options "$scratch/corpus" "$out") --model mae_vit_small_synth \
  --batch-size 16 --epochs 1 --warmup-epochs 0 >"$out.log" 2>&1 || { fail "small-model run exited $?"; tail "$out.log"; }
find "$scratch/corpus/padchest" -name '*.png' | sort | head -4 >"$scratch/anonymize-inputs.txt"
"$medanon" anonymize --file-list "$scratch/anonymize-inputs.txt" --out "$scratch/anonymized" --insecure-key --no-text \
  --mae-checkpoint "$out/model.pth" --mae-device cpu >"$scratch/anonymize.log" 2>&1 \
  || { fail "anonymize with the exported model exited $?"; tail "$scratch/anonymize.log"; }
grep -q "ok / failed / rejected: 4 / 0 / 0" "$scratch/anonymize.log" || fail "anonymize with the exported model failed items"

# --- a non-finite loss stops every rank cleanly: exit 7, no export, no partial files
out=$scratch/diverged
"${mpirun_cmd[@]}" -np 2 "$medanon" $(tiny_train_options "$scratch/corpus" "$out") --epochs 3 --lr 1e30 \
  --warmup-epochs 0 >"$out.log" 2>&1
code=$?
[[ $code == 7 ]] || { fail "diverging run exited $code, expected 7"; tail "$out.log"; }
grep -q "non-finite loss" "$out.log" || fail "no non-finite loss message"
[[ ! -e $out/model.pth ]] || fail "a diverged run exported weights"
grep -q "MPI_ABORT" "$out.log" && fail "the diverged run was aborted instead of stopping cleanly"

# --- a checkpoint rank 0 cannot write stops every rank together (exit 1, the reason named), with
# no hang in the next step's allreduce: the first epoch's checkpoint path is taken by a directory
out=$scratch/unwritable
mkdir -p "$out/checkpoint-00000005.pth/in-the-way"
timeout 120 "${mpirun_cmd[@]}" -np 2 "$medanon" $(tiny_train_options "$scratch/corpus" "$out") --epochs 2 >"$out.log" 2>&1
code=$?
[[ $code == 1 ]] || { fail "run with an unwritable checkpoint exited $code, expected 1"; tail "$out.log"; }
grep -q "writing checkpoint .*checkpoint-00000005.pth failed" "$out.log" || fail "no checkpoint failure message"
grep -q "MPI_ABORT" "$out.log" && fail "the failed checkpoint write aborted instead of stopping every rank"

echo "train rank checks: $failures failed"
exit $((failures > 0))
