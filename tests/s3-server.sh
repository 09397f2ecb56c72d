#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Starts and stops a single-host Ceph RADOS Gateway on 127.0.0.1 for tests and the demo.
#
#   tests/s3-server.sh start DIR [PORT]   start in DIR (created afresh); prints the endpoint URL
#   tests/s3-server.sh stop DIR           stop the daemons recorded in DIR by PID
#   tests/s3-server.sh running DIR        exit 0 when the gateway in DIR answers
#
# The gateway writes its ops log to DIR/ops.log (a JSON object per request; a batch on one line).
# No systemd, no cephx, an in-memory object store: nothing outlives the daemons. Three identities
# are created for tests: "owner" (the manager), its subuser "owner:presign" (the signer) and
# "alice" (somebody else). Their keys are fixed test values, printed nowhere else. The owner may
# create IAM roles.
#
# With PG_S3_STS=1 the gateway also serves STS AssumeRole (links signed in a session of their
# own; the STS key is a test value too). Not by default: with STS on, Ceph 16 answers a wrong
# secret or an unknown key with AccessDenied instead of SignatureDoesNotMatch or
# InvalidAccessKeyId, and the tests that a wrong key never reads as "verified" need the
# difference.
set -euo pipefail

cmd=${1:-}
dir=${2:-}
port=${3:-7480}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop|running DIR [PORT]" >&2; exit 2; }
conf=$dir/ceph.conf

stop_daemons() {
  local name pidfile pid i
  for name in rgw osd mon; do
    pidfile=$dir/run/pid.$name
    [ -f "$pidfile" ] || continue
    pid=$(cat "$pidfile")
    kill "$pid" 2>/dev/null || true
    for i in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$pidfile"
  done
}

wait_for() {
  local what=$1 seconds=$2; shift 2
  if ! timeout "$seconds" bash -c "until $*; do sleep 0.2; done"; then
    echo "s3-server: $what did not come up within $seconds s; logs in $dir/log" >&2
    tail -n 20 "$dir"/log/*.out >&2 || true
    stop_daemons
    exit 1
  fi
}

case $cmd in
  stop)
    stop_daemons
    exit 0 ;;
  running)
    curl -s -o /dev/null "http://127.0.0.1:$(cat "$dir/run/port" 2>/dev/null || echo "$port")/"
    exit $? ;;
  start) ;;
  *) echo "usage: $0 start|stop|running DIR [PORT]" >&2; exit 2 ;;
esac

for tool in ceph-mon ceph-osd radosgw radosgw-admin monmaptool ceph-authtool uuidgen curl python3; do
  command -v "$tool" >/dev/null || {
    echo "s3-server: '$tool' is missing; install: ceph-mon ceph-osd radosgw ceph-common uuid-runtime curl python3" >&2
    exit 1
  }
done

# The monitor listens on a port of its own that is free now, so servers can run side by side.
mon_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

stop_daemons 2>/dev/null || true
rm -rf "$dir"
mkdir -p "$dir"/{mon.a,run,log,rgw}
echo "$port" > "$dir/run/port"
fsid=$(uuidgen)
cat > "$conf" <<CONF
[global]
fsid = $fsid
mon host = v2:127.0.0.1:$mon_port
public addr = 127.0.0.1
ms bind ipv6 = false
ms bind msgr1 = false
ms mon client mode = crc
auth cluster required = none
auth service required = none
auth client required = none
run dir = $dir/run
admin socket = $dir/run/\$name.asok
log file = $dir/log/\$name.log
mon data = $dir/\$name
osd data = $dir/\$name
mon data avail warn = 1
osd objectstore = memstore
memstore device bytes = 1073741824
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon warn on pool no redundancy = false
mon max pg per osd = 1000
[client.rgw.x]
rgw frontends = beast endpoint=127.0.0.1:$port
rgw data = $dir/rgw
rgw thread pool size = 32
rgw enable ops log = true
rgw ops log file path = $dir/ops.log
CONF
if [ "${PG_S3_STS:-}" = 1 ]; then
  printf 'rgw s3 auth use sts = true\nrgw sts key = pgteststskey0001\n' >> "$conf"
fi
export CEPH_CONF=$conf

monmaptool --create --addv a "[v2:127.0.0.1:$mon_port]" --fsid "$fsid" "$dir/monmap" >/dev/null
ceph-authtool --create-keyring "$dir/mon.keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
ceph-mon --mkfs -i a --monmap "$dir/monmap" --keyring "$dir/mon.keyring"
ceph-mon -i a -f >"$dir/log/mon.out" 2>&1 &
echo $! > "$dir/run/pid.mon"
wait_for "the monitor" 60 "ceph --connect-timeout 2 mon stat >/dev/null 2>&1"

osd_uuid=$(uuidgen)
osd_id=$(timeout 60 ceph osd new "$osd_uuid")
mkdir -p "$dir/osd.$osd_id"
timeout 120 ceph-osd -i "$osd_id" --mkfs --osd-uuid "$osd_uuid" >"$dir/log/osd-mkfs.out" 2>&1
ceph-osd -i "$osd_id" -f >"$dir/log/osd.out" 2>&1 &
echo $! > "$dir/run/pid.osd"
wait_for "the object store" 60 "ceph osd stat 2>/dev/null | grep -q '1 up'"

radosgw -n client.rgw.x -f >"$dir/log/rgw.out" 2>&1 &
echo $! > "$dir/run/pid.rgw"
wait_for "the gateway" 120 "curl -s -o /dev/null http://127.0.0.1:$port/"

# Each administrative step bounded: a cluster that stalls fails the start instead of hanging it.
admin() {
  if ! timeout 60 radosgw-admin "$@" >/dev/null; then
    echo "s3-server: 'radosgw-admin $*' failed or took over 60 s; logs in $dir/log" >&2
    stop_daemons
    exit 1
  fi
}
admin user create --uid owner --display-name Owner --access-key OWNERKEY --secret OWNERSECRET
admin user create --uid alice --display-name Alice --access-key ALICEKEY --secret ALICESECRET
admin subuser create --uid owner --subuser owner:presign --key-type s3 \
  --access-key PRESIGNKEY --secret PRESIGNSECRET --access full
admin caps add --uid owner --caps "roles=*"

echo "http://127.0.0.1:$port"
