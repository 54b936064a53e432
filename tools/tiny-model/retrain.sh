#!/bin/bash
# Retrain tiny-arith from scratch and re-export it to public/models/tiny-arith (about 40 min on an idle 2-core machine).
#   tools/tiny-model/retrain.sh            # full run
#   tools/tiny-model/retrain.sh --smoke    # tiny step counts, checks the pipeline end to end (~1-2 min)
# Log: tools/tiny-model/work/train.log (smoke: tools/tiny-model/work/smoke/train.log)
set -eo pipefail
cd "$(dirname "$0")/../.."
mkdir -p tools/tiny-model/work
start=$(date +%s)
if [ "$1" = "--smoke" ]; then
  # writes only under tools/tiny-model/work/smoke/ (the committed model and data stay untouched)
  mkdir -p tools/tiny-model/work/smoke
  log=tools/tiny-model/work/smoke/train.log
  /usr/bin/python3 tools/tiny-model/train.py --all --smoke 2>&1 | tee $log
  node tools/tiny-model/check-onnx.mjs --full --model tools/tiny-model/work/smoke/tiny-arith \
    --heldout tools/tiny-model/work/smoke/data/tiny-arith-heldout.jsonl 2>&1 | tee -a $log
else
  log=tools/tiny-model/work/train.log
  /usr/bin/python3 tools/tiny-model/train.py --all 2>&1 | tee $log
  node tools/tiny-model/check-onnx.mjs --full 2>&1 | tee -a $log
fi
echo "total wall clock: $(( $(date +%s) - start )) s" | tee -a $log
