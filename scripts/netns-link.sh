#!/usr/bin/env bash
# Emulated link for `lab bandwidth`: two network namespaces joined by a veth pair, shaped with tc netem on both
# ends (so RATE, DELAY and LOSS apply to each direction and the round trip is 2×DELAY).
#   netns-link.sh probe                       exit 0 when namespaces, veth and netem all work here (needs root)
#   netns-link.sh up ID RATE DELAY LOSS       e.g. up 7 10mbit 40ms 1%  → namespaces st-ID-a (10.213.ID.1) and st-ID-b (10.213.ID.2)
#   netns-link.sh down ID                     removes both namespaces (and with them the veth pair); safe to repeat
# ID is 1..250. The 10.213.ID.0/30 addresses exist only inside the two namespaces. A failed `up` removes what it made.
set -euo pipefail
cmd=${1:-}
ns() { echo "st-$1-$2"; }
down() {
  ip netns del "$(ns "$1" a)" 2>/dev/null || true
  ip netns del "$(ns "$1" b)" 2>/dev/null || true
}
case "$cmd" in
  probe)
    [ "$(id -u)" = 0 ] || { echo "netns-link: needs root" >&2; exit 1; }
    command -v ip >/dev/null && command -v tc >/dev/null || { echo "netns-link: ip/tc missing (iproute2)" >&2; exit 1; }
    id=251
    trap 'down $id' EXIT
    ip netns add "$(ns $id a)"
    ip -n "$(ns $id a)" link add st-probe0 type veth peer name st-probe1
    tc -n "$(ns $id a)" qdisc add dev st-probe0 root netem delay 1ms rate 1mbit loss 0% 2>/dev/null \
      || { echo "netns-link: tc netem is not available (kernel without sch_netem)" >&2; exit 1; }
    ;;
  up)
    [ $# -eq 5 ] || { echo "usage: netns-link.sh up ID RATE DELAY LOSS" >&2; exit 2; }
    id=$2 rate=$3 delay=$4 loss=$5
    [[ "$id" =~ ^[0-9]+$ ]] && [ "$id" -ge 1 ] && [ "$id" -le 250 ] || { echo "netns-link: ID must be 1..250" >&2; exit 2; }
    a=$(ns "$id" a) b=$(ns "$id" b)
    down "$id"
    trap 'down $id' ERR
    ip netns add "$a"
    ip netns add "$b"
    ip link add "st${id}a" netns "$a" type veth peer name "st${id}b" netns "$b"
    ip -n "$a" addr add "10.213.$id.1/30" dev "st${id}a"
    ip -n "$b" addr add "10.213.$id.2/30" dev "st${id}b"
    for n in "$a" "$b"; do ip -n "$n" link set lo up; done
    ip -n "$a" link set "st${id}a" up
    ip -n "$b" link set "st${id}b" up
    # ST_NETNS_QDISC=none skips shaping: only for checking the plumbing where netem is missing.
    if [ "${ST_NETNS_QDISC:-netem}" != none ]; then
      tc -n "$a" qdisc add dev "st${id}a" root netem rate "$rate" delay "$delay" loss "$loss" limit 10000
      tc -n "$b" qdisc add dev "st${id}b" root netem rate "$rate" delay "$delay" loss "$loss" limit 10000
    fi
    trap - ERR
    ;;
  down)
    [ $# -eq 2 ] || { echo "usage: netns-link.sh down ID" >&2; exit 2; }
    down "$2"
    ;;
  *)
    echo "usage: netns-link.sh probe | up ID RATE DELAY LOSS | down ID" >&2; exit 2 ;;
esac
