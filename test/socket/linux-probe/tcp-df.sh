#!/bin/sh
# Regenerates tcp-df.expected.json from the real kernel: a private network namespace with only lo up.
set -e
cd "$(dirname "$0")"
unshare -n sh -c 'ip link set lo up && python3 tcp-df.py' > tcp-df.expected.json
