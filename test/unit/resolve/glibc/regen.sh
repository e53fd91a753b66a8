#!/bin/sh
# Regenerates the glibc goldens for test/unit/resolve/ (needs gcc and glibc headers).
# The program only calls pure libc functions and reads /etc/services and /etc/protocols;
# it runs inside `unshare -n` (no network) when that is available.
# After a netbase upgrade, also run `node gen-tables.mjs` to refresh the data tables.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin=$(mktemp -d)/golden
trap 'rm -rf "$(dirname "$bin")"' EXIT
gcc -std=c11 -O1 -Wall -Wextra -Werror -o "$bin" "$here/golden.c"
run() {
  if unshare -n true 2>/dev/null; then unshare -n env LC_ALL=C "$bin" "$1"; else env LC_ALL=C "$bin" "$1"; fi
}
for mode in cases fuzz netdb; do
  run "$mode" > "$here/$mode.json.tmp"
  node -e 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))' "$here/$mode.json.tmp"
  mv "$here/$mode.json.tmp" "$here/$mode.json"
done
{
  printf 'glibc: '; ldd --version | head -n 1
  printf 'netbase: '; dpkg-query -W -f '${Version}\n' netbase 2>/dev/null || echo unknown
  printf 'arch: '; uname -m
} > "$here/SOURCE.txt"
echo "goldens written to $here"
