#!/usr/bin/env bash
# Runs http-tests/cache-tests against axios-keyv-cache's src (through tsx). See README.md.
#   CACHE_TESTS_DIR=/path/to/cache-tests tools/cache-tests/run.sh --mode browser|proxy [--options JSON]
#     [--label NAME] [--id TEST_ID] [--chunk N] [--client cache|axios|native]
# AXIOS_KEYV_CACHE_DIR measures another copy of the library (default: this checkout);
# NODE_BIN picks another Node (default: node on PATH).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
lib="$(cd "${AXIOS_KEYV_CACHE_DIR:-$here/../..}" && pwd)"
if [[ -z "${CACHE_TESTS_DIR:-}" ]]; then
  cat >&2 <<'EOF'
CACHE_TESTS_DIR is not set: point it at a checkout of http-tests/cache-tests at commit b55b8bda.
Get one with:
  git clone https://github.com/http-tests/cache-tests && git -C cache-tests checkout b55b8bda
then run with CACHE_TESTS_DIR="$PWD/cache-tests" (no npm install is needed; see README.md).
EOF
  exit 1
fi
suite="$(cd "$CACHE_TESTS_DIR" 2>/dev/null && pwd || true)"
if [[ -z "$suite" || ! -f "$suite/test-engine/client/runner.mjs" ]]; then
  echo "CACHE_TESTS_DIR=$CACHE_TESTS_DIR is not a cache-tests checkout (no test-engine/client/runner.mjs); see README.md" >&2
  exit 1
fi
if [[ ! -f "$lib/src/index.ts" || ! -f "$lib/node_modules/tsx/dist/loader.mjs" ]]; then
  echo "$lib is not an installed axios-keyv-cache checkout (needs src/index.ts and node_modules: run npm ci there)" >&2
  exit 1
fi
export CACHE_TESTS_DIR="$suite" AXIOS_KEYV_CACHE_DIR="$lib" TSX_TSCONFIG_PATH="$lib/tsconfig.json"
exec "${NODE_BIN:-node}" --import "$lib/node_modules/tsx/dist/loader.mjs" "$here/harness.mjs" "$@"
