#!/bin/bash
# Train tiny-reasoner from scratch and export it to public/models/tiny-reasoner (about 65-75 min on the 2-core machine).
#   tools/tiny-model/reasoner/retrain.sh           # full run, log in tools/tiny-model/reasoner/work/train.log
#   tools/tiny-model/reasoner/retrain.sh --smoke   # tiny step counts, plumbing only (writes only under work/smoke/)
set -eo pipefail
cd "$(dirname "$0")/../../.."
R=tools/tiny-model/reasoner
start=$(date +%s)
if [ "$1" = "--smoke" ]; then
  mkdir -p $R/work/smoke
  log=$R/work/smoke/train.log
  /usr/bin/python3 $R/train.py --all --smoke 2>&1 | tee $log
  node $R/check-onnx.mjs --model $R/work/smoke/tiny-reasoner --heldout $R/work/smoke/data/tiny-reasoner-heldout.jsonl --smoke 2>&1 | tee -a $log
else
  mkdir -p $R/work
  log=$R/work/train.log
  /usr/bin/python3 $R/train.py --all 2>&1 | tee $log
  node $R/check-onnx.mjs --full 2>&1 | tee -a $log
  node $R/check-onnx.mjs --full --dtype q4 2>&1 | tee -a $log
fi
echo "total wall clock: $(( $(date +%s) - start )) s" | tee -a $log
