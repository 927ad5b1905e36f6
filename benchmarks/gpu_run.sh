#!/bin/bash
# The GPU checks and tables of benchmarks/README.md, in one command for a lent GPU machine (about 10 minutes):
# the CUDA path against the CPU, then the benchmark on Amazon-14core, at MovieLens-1m's shape and at 10x that.
#   OUT=out/ DATA=../shared/data/amazon-14core bash benchmarks/gpu_run.sh
# Writes log.txt, check.txt and {amazon,ml1m,x10}.{md,csv} to $OUT. Each step has its own time limit.
cd "$(dirname "$0")/.."
export PYTHONPATH=$PWD PYTHONUNBUFFERED=1
OUT=${OUT:-runs/gpu}; DATA=${DATA:-../shared/data/amazon-14core}; mkdir -p "$OUT"
{ nvidia-smi -L; python3 -c "import torch; print('torch', torch.__version__, torch.cuda.get_device_name(0))"; } > "$OUT/log.txt" 2>&1
step() {  # name, seconds, command...
  local name=$1 secs=$2; shift 2; local t=$SECONDS
  timeout "$secs" "$@" >> "$OUT/log.txt" 2>&1; echo "== $name rc=$? $((SECONDS - t)) s" >> "$OUT/log.txt"
}
step cuda_check 90 bash -c "python3 benchmarks/cuda_check.py > '$OUT/check.txt' 2>&1"
step amazon 100 python3 benchmarks/bench_unlearn.py --device cuda --dataset amazon-14core --data-dir "$DATA" --sizes 1,8,64,512 --out /tmp/gpu-amazon
step ml1m 220 python3 benchmarks/bench_unlearn.py --device cuda --sizes 1,8,64,512 --out /tmp/gpu-ml1m
step x10 180 python3 benchmarks/bench_unlearn.py --device cuda --scale 10 --sizes 64 --no-quality-trace --methods retrain,alteraser-ah-local,alteraser-ah,retrain-als --out /tmp/gpu-x10
for n in amazon ml1m x10; do cp /tmp/gpu-$n/bench.md "$OUT/$n.md"; cp /tmp/gpu-$n/bench.csv "$OUT/$n.csv"; done 2>/dev/null
true
