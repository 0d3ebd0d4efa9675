#!/usr/bin/env bash
# The exit-code contract of the README, checked on the real binary: help, usage errors, input
# errors and the subcommands whose issues have not landed yet.
set -u
medanon=$1; source_dir=$2; scratch=$3
rm -rf "$scratch"; mkdir -p "$scratch"
failures=0

expect() {  # expect CODE DESCRIPTION -- command...
  local want=$1 what=$2; shift 3
  "$@" >"$scratch/out" 2>"$scratch/err"
  local got=$?
  if [[ $got -ne $want ]]; then
    echo "FAIL: $what: exit $got, expected $want"; cat "$scratch/out" "$scratch/err"; failures=$((failures + 1))
  else
    echo "ok: $what (exit $got)"
  fi
}

expect 0 "--help" -- "$medanon" --help
expect 0 "--version" -- "$medanon" --version
grep -q "LibTorch" "$scratch/out" || { echo "FAIL: --version does not list LibTorch"; failures=$((failures + 1)); }
for command in synth anonymize train infer evaluate inspect; do
  expect 0 "$command --help" -- "$medanon" "$command" --help
  grep -q -- "--config" "$scratch/out" || { echo "FAIL: $command --help has no --config"; failures=$((failures + 1)); }
done
expect 2 "no subcommand" -- "$medanon"
expect 2 "unknown subcommand" -- "$medanon" frobnicate
expect 2 "unknown option" -- "$medanon" synth --out "$scratch/x" --no-such-option
expect 2 "missing --out" -- "$medanon" synth
expect 2 "count out of range" -- "$medanon" synth --out "$scratch/x" --count 0
expect 2 "missing config file" -- "$medanon" synth --out "$scratch/x" --config "$scratch/missing.toml"

touch "$scratch/a_file"
expect 3 "--out is a file" -- "$medanon" synth --out "$scratch/a_file" --count 1 --size 128
grep -q "not a folder" "$scratch/err" || { echo "FAIL: no clear reason for --out"; failures=$((failures + 1)); }

expect 2 "evaluate needs text or fo" -- "$medanon" evaluate
# Every job needs its inputs named: running it bare is a usage error with the missing option.
for command in anonymize train infer "evaluate text" "evaluate fo" "evaluate run" inspect; do
  # shellcheck disable=SC2086
  expect 2 "$command without its required options" -- "$medanon" $command
  grep -q "required" "$scratch/err" || { echo "FAIL: $command does not name what is missing"; failures=$((failures + 1)); }
done

expect 0 "a tiny corpus" -- "$medanon" synth --out "$scratch/corpus" --count 2 --size 128 --no-bad-files
expect 3 "refuses to overwrite" -- "$medanon" synth --out "$scratch/corpus" --count 2 --size 128
expect 0 "overwrites when asked" -- "$medanon" synth --out "$scratch/corpus" --count 2 --size 128 --overwrite

echo "exit-code checks: $failures failed"
exit $((failures > 0))
