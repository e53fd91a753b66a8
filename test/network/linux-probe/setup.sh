ip link set lo up
ip link add v0 type veth peer name v1
ip link set v0 up; ip link set v1 up
ip addr add 10.0.0.1/24 brd + dev v0
ip addr add 10.0.0.2/24 brd + dev v1
