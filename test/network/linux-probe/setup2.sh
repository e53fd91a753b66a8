. ./setup.sh
sysctl -qw net.ipv4.conf.v0.accept_local=1 net.ipv4.conf.v1.accept_local=1 net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.v0.rp_filter=0 net.ipv4.conf.v1.rp_filter=0
ip -6 addr add 2001:db8::1/64 dev v0 nodad; ip -6 addr add 2001:db8::2/64 dev v1 nodad
sleep 2.5
