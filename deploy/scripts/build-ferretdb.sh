#!/usr/bin/env bash
# Builds FerretDB v1.24.2 from its Go module into .cache/ferretdb/bin/ferretdb.
# `go install` alone gives a binary that panics at start because build/version/version.txt is not
# part of the module (FerretDB issue #2982), so we build from a writable copy of the module source.
set -euo pipefail
version="${FERRETDB_VERSION:-v1.24.2}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="$root/.cache/ferretdb/bin/ferretdb"
# Output captured before matching: with pipefail, `| grep -q` or `| head` can kill the writer
# with SIGPIPE and fail the script (exit 141).
if [[ -x "$out" ]] && [[ "$("$out" --version 2>/dev/null)" == *"$version"* ]]; then
  exit 0
fi
command -v go >/dev/null || { echo "go is required to build FerretDB (install Go 1.22+)" >&2; exit 1; }
module_dir="$(go mod download -json "github.com/FerretDB/FerretDB@$version" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')"
work="$root/.cache/ferretdb/src"
rm -rf "$work"; mkdir -p "$work" "$(dirname "$out")"
cp -r "$module_dir/." "$work/"
chmod -R u+w "$work"
echo "$version" > "$work/build/version/version.txt"
echo "building FerretDB $version (one-off, about a minute)..." >&2
(cd "$work" && CGO_ENABLED=0 go build -trimpath -o "$out" ./cmd/ferretdb)
rm -rf "$work"
built="$("$out" --version)"
echo "${built%%$'\n'*}"
