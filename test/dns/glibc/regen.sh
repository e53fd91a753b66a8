#!/bin/sh
# Regenerates probe.json: glibc's answers to the cases in probe.c, measured in a private network and mount
# namespace (unshare -rmn) with only lo up and controlled /etc files (see probe.py). Needs gcc and python3.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
gcc -std=c11 -O1 -Wall -Wextra -Werror -o "$dir/probe" "$here/probe.c"
unshare -rmn python3 "$here/probe.py" --inner "$dir/probe" "$dir/probe.json"
node -e 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))' "$dir/probe.json"
mv "$dir/probe.json" "$here/probe.json"
{
  printf 'glibc: '; ldd --version | head -n 1
  printf 'kernel: '; uname -r
  printf 'netbase: '; dpkg-query -W -f '${Version}\n' netbase 2>/dev/null || echo unknown
} > "$here/SOURCE.txt"
echo "probe.json written to $here"
