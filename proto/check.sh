#!/usr/bin/env bash
# The API's checks, run by ./eiscope test: buf lint (buf.yaml's rules) and buf breaking (FILE
# rules: what generated clients compile against) against api-baseline.binpb, the image of the
# last released v1. Then it checks the checks: in a scratch copy, a renamed field must fail
# `breaking`, a badly named message must fail `lint`, and an added field must pass both.
# Usage: proto/check.sh BUF   (BUF: the buf binary, from the JS SDK's npm packages)
set -euo pipefail
buf="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
cd "$(dirname "$0")"

echo "buf lint"
"$buf" lint
echo "buf breaking --against api-baseline.binpb"
"$buf" breaking --against api-baseline.binpb

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
copy() { rm -rf "$scratch/p"; mkdir -p "$scratch/p"; cp -r eiscope buf.yaml api-baseline.binpb "$scratch/p/"; }

copy
perl -0pi -e 's/(message GetSimulationRequest \{\s*)string id = 1;/${1}string run_id = 1;/' "$scratch/p/eiscope/v1/simulation_service.proto"
if out="$(cd "$scratch/p" && "$buf" breaking --against api-baseline.binpb 2>&1)"; then
  echo "check.sh: buf breaking let a renamed field through; the breaking check does not work" >&2; exit 1
fi
grep -q 'GetSimulationRequest' <<<"$out" || { echo "check.sh: unexpected breaking report: $out" >&2; exit 1; }
echo "self-check: a renamed field is refused as breaking"

copy
printf '\nmessage lower_case_message {}\n' >> "$scratch/p/eiscope/v1/types.proto"
if (cd "$scratch/p" && "$buf" lint >/dev/null 2>&1); then
  echo "check.sh: buf lint let a lower_case message name through; the lint check does not work" >&2; exit 1
fi
echo "self-check: a badly named message is refused by lint"

copy
perl -0pi -e 's/(message GetSimulationRequest \{\s*string id = 1;)/${1}\n  bool added_in_v1 = 99;/' "$scratch/p/eiscope/v1/simulation_service.proto"
(cd "$scratch/p" && "$buf" lint && "$buf" breaking --against api-baseline.binpb) \
  || { echo "check.sh: an added field was refused; the checks refuse too much" >&2; exit 1; }
echo "self-check: an added field passes both"
