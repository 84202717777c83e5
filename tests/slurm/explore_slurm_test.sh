#!/usr/bin/env bash
# A two-shard `potacc explore` sweep through a real single-node Slurm
# (scripts/slurm-local.sh: Debian slurm-wlm + munge): sbatch runs the job
# array `explore --slurm` wrote, `explore --merge` joins the shards, and the
# merged result must be byte-identical to the same sweep run locally.
# Exit 77 (CTest: skipped) when Slurm cannot start here, except under CI=true.
#   usage: explore_slurm_test.sh POTACC REPO
set -euo pipefail
potacc="$1"
repo="$2"
work="$(mktemp -d "${TMPDIR:-/tmp}/potacc-slurm-XXXXXX")"
cleanup() {
  "$repo/scripts/slurm-local.sh" stop "$work/slurm" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

rc=0
env_line="$("$repo/scripts/slurm-local.sh" start "$work/slurm")" || rc=$?
if [ "$rc" -ne 0 ]; then
  if [ "$rc" -eq 77 ] && [ "${CI:-}" != "true" ]; then
    echo "SKIP: Slurm cannot start on this machine (scripts/slurm-local.sh exit 77)"
    exit 77
  fi
  echo "FAIL: scripts/slurm-local.sh start failed (exit $rc)"
  exit 1
fi
eval "$env_line"  # export SLURM_CONF=...

grid=(--families potacc-x --methods qkeras,int8 --units 2,4 --clock-mhz 150,200 --weight-addresses 2048,4096
      --depthwise off,on --depth-split family --host-overlap family --models mobilenetv2,resnet18,inceptionv1)

"$potacc" explore "${grid[@]}" --out "$work/array" --slurm 2 --cpus-per-task 1 >"$work/slurm-write.txt"
grep -q "sbatch" "$work/slurm-write.txt"
script="$work/array/explore.sbatch"
grep -q "^#SBATCH --array=0-1$" "$script"

if ! timeout 240 sbatch --wait "$script" >"$work/sbatch.txt" 2>&1; then
  echo "FAIL: the job array did not succeed"
  cat "$work/sbatch.txt" "$work"/array/slurm-*.out 2>/dev/null || true
  exit 1
fi
for i in 0 1; do
  [ -f "$work/array/shard-$i/points.jsonl" ] || { echo "FAIL: shard $i wrote no journal"; exit 1; }
done

"$potacc" explore --merge "$work/array/shard-0" "$work/array/shard-1" --out "$work/merged" -q
"$potacc" explore --grid "$work/array/grid.json" --out "$work/local" -q
for f in explore.json points.csv front.csv front.svg; do
  cmp "$work/local/$f" "$work/merged/$f" || { echo "FAIL: merged $f differs from the local run"; exit 1; }
done
points="$(grep -c '"id"' "$work/local/points.jsonl")"
echo "PASS: 2 Slurm array tasks, $points points, merged == local"
