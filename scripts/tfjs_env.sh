# Sourced by the TFLite-wasm checks (check_tfjs_tflite.sh, check_tfjs_per_op.sh):
#   tfjs_env NAME BUILD_DIR
# checks the potacc binary, node and npm, installs @tensorflow/tfjs-tflite
# 0.0.1-alpha.10 into $TFJS_DIR (default: a new temporary folder outside the
# repository) if it is not there yet, and sets potacc, tfjs, module (the
# package folder) and out ($OUT, default a new temporary folder).
tfjs_env() {
  local name="$1" build="$2"
  potacc="$build/potacc"
  [[ -x "$potacc" ]] || { echo "$name: $potacc not found (build first)" >&2; exit 1; }
  command -v node >/dev/null && command -v npm >/dev/null || { echo "$name: needs node and npm" >&2; exit 1; }
  tfjs="${TFJS_DIR:-$(mktemp -d /tmp/potacc-tfjs.XXXXXX)}"
  out="${OUT:-$(mktemp -d "/tmp/potacc-$name.XXXXXX")}"
  mkdir -p "$tfjs" "$out"
  module="$tfjs/node_modules/@tensorflow/tfjs-tflite"
  if [[ ! -f "$module/wasm/tflite_web_api_cc.wasm" ]]; then
    echo "installing @tensorflow/tfjs-tflite@0.0.1-alpha.10 into $tfjs"
    (cd "$tfjs" && npm init -y >/dev/null && npm install --no-audit --no-fund @tensorflow/tfjs-tflite@0.0.1-alpha.10 >/dev/null)
  fi
}
