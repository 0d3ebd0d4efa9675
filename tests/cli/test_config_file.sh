#!/usr/bin/env bash
# --config files: the shipped defaults equal the compiled-in ones, values from a file are used,
# and the command line overrides the file. The effective configuration is printed at start.
set -u
medanon=$1; source_dir=$2; scratch=$3
rm -rf "$scratch"; mkdir -p "$scratch"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

effective() { sed -n '/^# medanon/,/^$/p' | grep -v '^#' | grep -v '^out=' | grep -v '^$'; }

# configs/synth.toml documents the defaults: running with it changes nothing.
"$medanon" synth --out "$scratch/a" --count 1 --size 128 >"$scratch/default.txt" 2>/dev/null || fail "default run"
"$medanon" synth --out "$scratch/b" --count 1 --size 128 --config "$source_dir/configs/synth.toml" \
  >"$scratch/shipped.txt" 2>/dev/null || fail "run with configs/synth.toml"
diff <(effective <"$scratch/default.txt") <(effective <"$scratch/shipped.txt") || fail "configs/synth.toml differs from the defaults"

# Values come from the file; the command line wins over it.
cat >"$scratch/custom.toml" <<'TOML'
count = 3
size = 160
seed = 99
dicom-fraction = 0.0
TOML
"$medanon" synth --out "$scratch/c" --config "$scratch/custom.toml" --size 128 >"$scratch/custom.txt" 2>/dev/null \
  || fail "run with a custom config"
grep -qx "count=3" "$scratch/custom.txt" || fail "count from the file not in the effective configuration"
grep -qx "seed=99" "$scratch/custom.txt" || fail "seed from the file not in the effective configuration"
grep -qx "size=128" "$scratch/custom.txt" || fail "command line did not override the file"
n=$(ls "$scratch/c/padchest"/*/*.png 2>/dev/null | wc -l)
[[ $n -eq 3 ]] || fail "expected 3 PNG images from the config's count, found $n"

# Every subcommand has a shipped config file that it accepts.
for command in anonymize train adapt infer evaluate inspect; do
  [[ -f "$source_dir/configs/$command.toml" ]] || fail "configs/$command.toml missing"
done

echo "config checks: $failures failed"
exit $((failures > 0))
