#!/usr/bin/env bash
# LibTorch lives in a plugin (medanon_torch.so beside the binary), loaded only by train, infer
# and the anonymize MAE stage. Checked here: the binary does not link LibTorch, the commands
# without the MAE run with no plugin at all, and those that need it fail with exit 1 and a message
# that names the missing file.
set -u
medanon=$1; source_dir=$2; scratch=$3
rm -rf "$scratch"; mkdir -p "$scratch"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

expect() {  # expect CODE DESCRIPTION -- command...
  local want=$1 what=$2; shift 3
  "$@" >"$scratch/out" 2>"$scratch/err"
  local got=$?
  if [[ $got -ne $want ]]; then
    fail "$what: exit $got, expected $want"; tail -5 "$scratch/out" "$scratch/err"
  else
    echo "ok: $what (exit $got)"
  fi
}

ldd "$medanon" | grep -E 'libtorch|libc10' && fail "the medanon executable links LibTorch"
[[ -f "$(dirname "$medanon")/medanon_torch.so" ]] || fail "no medanon_torch.so beside $medanon"

# The same binary in a folder without the plugin.
alone="$scratch/alone/medanon"
mkdir -p "$(dirname "$alone")" && cp "$medanon" "$alone"
head -c 32 /dev/urandom >"$scratch/key" && chmod 600 "$scratch/key"
expect 0 "a DICOM corpus without the plugin" -- "$alone" synth --out "$scratch/corpus" --count 3 --size 128 \
  --dicom-fraction 1 --no-bad-files
expect 0 "deid without the plugin" -- "$alone" deid --in "$scratch/corpus/archive" --out "$scratch/deid" --key "$scratch/key"
expect 0 "--help without the plugin" -- "$alone" --help
for command in train infer anonymize deid; do
  grep -q "^  $command" "$scratch/out" || fail "--help does not list $command"
done
expect 0 "anonymize --no-mae without the plugin" -- "$alone" anonymize --input "$scratch/corpus/archive" \
  --out "$scratch/anon" --key "$scratch/key" --no-mae --no-text
expect 1 "anonymize with the MAE stage, no plugin" -- "$alone" anonymize --input "$scratch/corpus/archive" \
  --out "$scratch/anon-mae" --key "$scratch/key" --no-text
grep -q "medanon_torch.so" "$scratch/err" || fail "the anonymize error does not name the plugin"
expect 1 "train without the plugin" -- "$alone" train --corpus "$scratch/corpus" --out "$scratch/train"
grep -q "LibTorch plugin .*medanon_torch.so is missing" "$scratch/err" || fail "the train error does not name the plugin"
expect 1 "infer without the plugin" -- "$alone" infer --input "$scratch/corpus" --out "$scratch/infer" \
  --checkpoint "$scratch/none.pth"

# A file that is not a shared object: the loader's own message comes through.
echo "not an ELF file" >"$(dirname "$alone")/medanon_torch.so"
expect 1 "train with a broken plugin" -- "$alone" train --corpus "$scratch/corpus" --out "$scratch/train"
grep -q "cannot load .*medanon_torch.so" "$scratch/err" || fail "the loader's message is missing"

echo "torch plugin checks: $failures failed"
exit $((failures > 0))
