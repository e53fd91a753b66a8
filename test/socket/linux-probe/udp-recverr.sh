#!/bin/sh
# Regenerates udp-recverr.expected.json from the real kernel: a private network namespace with only lo up.
set -e
cd "$(dirname "$0")"
unshare -n sh -c 'ip link set lo up && python3 udp-recverr.py' > udp-recverr.expected.json
