#!/bin/sh
# Regenerates udp-pmtu-learned.expected.json from the real kernel: client, router and server namespaces joined by
# veth (the router-server link has MTU 1400), inside a private network namespace. Run as root:
#   unshare -n -m sh -c 'mount -t tmpfs none /run; mkdir -p /run/netns; sh udp-pmtu-learned.sh'
cd "$(dirname "$0")"
set -e
. ./three-ns.sh
three_ns_up 1400
ip netns exec sv python3 -c "
import socket
u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); u.bind(('::', 9)); u.settimeout(5)
try:
    while True: u.recv(70000)
except Exception: pass" &
sleep 0.5
python3 udp-pmtu-learned.py > udp-pmtu-learned.expected.json
three_ns_down
