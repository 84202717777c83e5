#!/usr/bin/env bash
# Regenerates the result tables of README.md (and docs/quantization.md) from
# what the code produces now. Each table sits between two marker lines
#   <!-- reproduce.sh NAME -->   ...   <!-- /reproduce.sh NAME -->
# and is replaced whole; the text around it is not touched.
#
#   scripts/reproduce.sh [NAME...]           rewrite the tables (default: all)
#   scripts/reproduce.sh --check [NAME...]   compare instead; exit 1 naming every stale table
#
# NAME: hw               hardware table        (potacc hw report --cached --markdown)
#       compare          board comparison      (potacc compare --board pynq-z2: the printed table)
#       accuracy         accuracy table, plain / calibrated (55 quantize + eval runs: minutes)
#       accuracy-all     accuracy table, all layers, plain (docs/quantization.md)
#       accuracy-quick   --check only: a bounded subset of accuracy cells, cheap to recompute
# Environment: POTACC (default build/potacc), POTACC_DATA (default ../shared/data).
set -euo pipefail
cd "$(dirname "$0")/.."
POTACC="${POTACC:-build/potacc}"
D="${POTACC_DATA:-../shared/data}"
FILES=(README.md docs/quantization.md)
check=0
if [ "${1:-}" = "--check" ]; then check=1; shift; fi
sections=("$@")
if [ ${#sections[@]} -eq 0 ]; then
  sections=(hw compare accuracy accuracy-all)
  [ $check -eq 1 ] && sections=(hw compare accuracy-quick)
fi
[ -x "$POTACC" ] || { echo "reproduce: $POTACC not built (cmake --build build)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# ---- generators: each prints one table's new content -----------------------

gen_hw() { "$POTACC" hw report --cached --markdown; }

compare_json() {  # $1 = extra flags, $2 = output file (cached per run of this script)
  [ -s "$2" ] || "$POTACC" compare --board pynq-z2 $1 --json "$2" >"$2.txt"
}

gen_compare() {
  compare_json "" "$work/seq.json"
  echo '```'
  cat "$work/seq.json.txt"
  echo '```'
}

# ---- accuracy ---------------------------------------------------------------
# One row per model: name | data flags | preprocessing | calibration flags | trained-for method | percent digits
CIFAR_NORM="--mean 0.4914,0.4822,0.4465 --std 0.2470,0.2435,0.2616"
IMNET_NORM="--mean 0.485,0.456,0.406 --std 0.229,0.224,0.225"
CIFAR_CALIB() { echo "--calibrate $work/cifar_jpeg --calib-labels $D/cifar10/test10000_jpeg_order.txt --calib-first 5000 --calib-count 64"; }
IMNET_CALIB() { echo "--calibrate $work/imnet/crop224_q90 --crop-fraction 1 --calib-first 501 --calib-count 32"; }
MODELS=(
  "potaccAPoT_res20_4bit (CIFAR-10, 1000)|models/potacc/potaccAPoT_res20_4bit.tflite|cifar|$CIFAR_NORM|apot"
  "potaccQK_mbv2_4bit (CIFAR-10, 1000)|models/potacc/potaccQK_mbv2_4bit.tflite|cifar|$CIFAR_NORM|qkeras"
  "mlperf_tiny pretrainedResnet_quant (CIFAR-10, 1000)|models/mlperf_tiny/pretrainedResnet_quant.tflite|cifar||"
  "potaccAPoTmobilenet_v2_4bit (ImageNet, 50 crops)|models/potacc/potaccAPoTmobilenet_v2_4bit.tflite|imnet|$IMNET_NORM|apot"
  "potacc_benchmark_mobilenetv2 (ImageNet, 50 crops)|models/potacc/potacc_benchmark_mobilenetv2.tflite|imnet|--scale01|"
)
METHODS=(qkeras apot msq uniform4 auto)

data_flags() { [ "$1" = cifar ] && echo "$D/cifar10 --limit 1000" || echo "$D/imagenet_sample/crop224_every20th_u8_nhwc.bin"; }
calib_flags() {
  if [ "$1" = cifar ]; then
    [ -d "$work/cifar_jpeg" ] || { mkdir -p "$work/cifar_jpeg"; tar xzf "$D/cifar10/test10000_jpeg_q75.tar.gz" -C "$work/cifar_jpeg"; }
    CIFAR_CALIB
  else
    [ -d "$work/imnet" ] || { mkdir -p "$work/imnet"; tar xf "$D/imagenet_sample/crop224_q90.tar" -C "$work/imnet"; }
    IMNET_CALIB
  fi
}
# Top-1 in percent as the table prints it: one decimal for 1000 images, none for 50.
percent() {  # eval stdout on stdin
  sed -n 's/^top1=[0-9.]* (\([0-9]*\)\/\([0-9]*\)).*/\1 \2/p' |
    awk '{ if ($2 >= 1000) printf "%.1f", 100 * $1 / $2; else printf "%.0f", 100 * $1 / $2 }'
}
eval_model() {  # model file, kind, preprocessing
  # shellcheck disable=SC2046
  "$POTACC" eval "$1" --data $(data_flags "$2") $3 2>/dev/null | percent
}
# One cell value: $1 row index, $2 method (int8 = the source model), $3 plain|calibrated|all
cell_value() {
  IFS='|' read -r _ rel kind pre _ <<<"${MODELS[$1]}"
  local model="$D/$rel"
  if [ "$2" = int8 ]; then eval_model "$model" "$kind" "$pre"; return; fi
  local layers="--skip-first-conv --skip-last-fc" calib=""
  [ "$3" = all ] && layers="--all-layers"
  [ "$3" = calibrated ] && calib="$(calib_flags "$kind")"
  local out="$work/q_$1_$2_$3.tflite"
  # shellcheck disable=SC2086
  "$POTACC" quantize "$model" --method "$2" $layers -q -o "$out" $calib $pre >/dev/null 2>"$out.err" ||
    { cat "$out.err" >&2; return 1; }
  eval_model "$out" "$kind" "$pre"
}
# The table text of one cell: "plain / calibrated", bold plain for the trained method.
cell_text() {  # row, method
  IFS='|' read -r _ _ _ _ trained <<<"${MODELS[$1]}"
  local plain calibrated
  plain=$(cell_value "$1" "$2" plain)
  calibrated=$(cell_value "$1" "$2" calibrated)
  [ "$2" = "$trained" ] && plain="**$plain**"
  echo "$plain / $calibrated"
}

gen_accuracy() {
  echo '| model (data) | int8 | qkeras | apot | msq | uniform4 | auto (per layer) |'
  echo '|---|---|---|---|---|---|---|'
  for i in "${!MODELS[@]}"; do
    IFS='|' read -r title _ <<<"${MODELS[$i]}"
    local line="| $title | $(cell_value "$i" int8 plain) |"
    for m in "${METHODS[@]}"; do line+=" $(cell_text "$i" "$m") |"; done
    echo "$line"
  done
}

gen_accuracy_all() {
  echo '| model | int8 | qkeras | apot | msq | uniform4 | auto |'
  echo '|---|---|---|---|---|---|---|'
  for i in 0 1 2; do
    IFS='|' read -r title _ <<<"${MODELS[$i]}"
    local line="| ${title%% (*} | $(cell_value "$i" int8 plain) |"
    line="${line/mlperf_tiny /}"
    for m in "${METHODS[@]}"; do line+=" $(cell_value "$i" "$m" all) |"; done
    echo "$line"
  done
}

# ---- markers ---------------------------------------------------------------

# The current content of table NAME in FILE (empty if FILE has no such table).
extract() { awk -v n="$1" '$0 == "<!-- /reproduce.sh " n " -->" { on = 0 } on { print } $0 == "<!-- reproduce.sh " n " -->" { on = 1 }' "$2"; }
has_table() { grep -qxF "<!-- reproduce.sh $1 -->" "$2"; }
replace() {  # name, file, new-content file
  awk -v n="$1" -v f="$3" '
    $0 == "<!-- reproduce.sh " n " -->" { print; while ((getline l < f) > 0) print l; skip = 1; next }
    $0 == "<!-- /reproduce.sh " n " -->" { skip = 0 }
    !skip { print }' "$2" >"$2.tmp" && mv "$2.tmp" "$2"
}

# --check accuracy-quick: recompute a few cells and compare them with the
# README's accuracy table (row index, column number, method, kind).
QUICK_CELLS=("0 2 int8 plain" "0 4 apot plain" "0 3 qkeras plain" "3 4 apot plain")
check_accuracy_quick() {
  local table="$work/readme_accuracy" bad=0
  if [ ! -d "$D/models" ]; then
    case "${CI:-}" in
      true | 1) echo "reproduce: shared data not found at $D (CI=true: the accuracy check fails)" >&2; return 1 ;;
      *) echo "reproduce: shared data not found at $D: accuracy cells not checked (set POTACC_DATA)"; skipped=1; return 0 ;;
    esac
  fi
  extract accuracy README.md >"$table"
  for spec in "${QUICK_CELLS[@]}"; do
    read -r row col method kind <<<"$spec"
    local line want got
    line=$(sed -n "$((row + 3))p" "$table")
    want=$(echo "$line" | awk -F'|' -v c="$((col + 1))" '{ print $c }' | sed 's/^ *//; s/ *$//; s/\*//g; s/ \/.*//')
    got=$(cell_value "$row" "$method" "$kind")
    if [ "$want" != "$got" ]; then
      echo "reproduce: accuracy table is stale: ${MODELS[$row]%%|*} $method ($kind): README says '$want', potacc gives '$got'" >&2
      bad=1
    else
      echo "reproduce: accuracy ${MODELS[$row]%%|*} $method ($kind) = $got (matches)"
    fi
  done
  return $bad
}

status=0
skipped=0
for name in "${sections[@]}"; do
  if [ "$name" = accuracy-quick ]; then
    [ $check -eq 1 ] || { echo "reproduce: accuracy-quick is a --check subset; regenerate with 'accuracy'" >&2; exit 2; }
    check_accuracy_quick || status=1
    continue
  fi
  case "$name" in
    hw | compare | accuracy | accuracy-all) ;;
    *) echo "reproduce: unknown table '$name'" >&2; exit 2 ;;
  esac
  new="$work/new_$name"
  "gen_${name//-/_}" >"$new"
  found=0
  for file in "${FILES[@]}"; do
    has_table "$name" "$file" || continue
    found=1
    if [ $check -eq 1 ]; then
      if diff -u <(extract "$name" "$file") "$new" >"$work/diff"; then
        echo "reproduce: $file table '$name' is current"
      else
        echo "reproduce: $file table '$name' is stale (run scripts/reproduce.sh $name):" >&2
        cat "$work/diff" >&2
        status=1
      fi
    else
      replace "$name" "$file" "$new"
      echo "reproduce: updated table '$name' in $file"
    fi
  done
  [ $found -eq 1 ] || { echo "reproduce: no '<!-- reproduce.sh $name -->' marker in ${FILES[*]}" >&2; status=1; }
done
[ $status -eq 0 ] && [ $skipped -eq 1 ] && exit 77  # CTest: skipped, not passed
exit $status
