#!/usr/bin/env bash
# A PostgreSQL primary and a streaming replica of it, made with pg_basebackup, on this machine:
# for trying and testing DATABASE_REPLICA_URLS (tests/http/test_replicas.py). The clusters are
# the project's own (their own ports and folder); the machine's PostgreSQL is left alone.
#
#   deploy/replica-cluster.sh start    # primary on 127.0.0.1:5434, replica on 127.0.0.1:5435
#   deploy/replica-cluster.sh stop-replica | start-replica
#   deploy/replica-cluster.sh stop     # both stopped and removed
#
# Needs PostgreSQL's server binaries (Debian: postgresql-15) and, run as root, the postgres user.
set -euo pipefail

ROOT="${REPLICA_ROOT:-/tmp/crisis-tracker-replication}"
PRIMARY_PORT="${PRIMARY_PORT:-5434}"
REPLICA_PORT="${REPLICA_PORT:-5435}"
BIN="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}"

as_postgres() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

settings() {  # port: small, fast clusters for trials (no fsync: nothing here is kept)
    cat <<EOF
port = $1
listen_addresses = '127.0.0.1'
unix_socket_directories = '$ROOT'
fsync = off
synchronous_commit = off
full_page_writes = off
wal_level = replica
max_wal_senders = 4
hot_standby = on
shared_buffers = 32MB
EOF
}

start_primary() {
    as_postgres "$BIN/initdb" -D "$ROOT/primary" -U postgres -A trust --no-sync >/dev/null
    settings "$PRIMARY_PORT" >> "$ROOT/primary/postgresql.conf"
    echo "host replication all 127.0.0.1/32 trust" >> "$ROOT/primary/pg_hba.conf"
    as_postgres "$BIN/pg_ctl" -D "$ROOT/primary" -l "$ROOT/primary.log" -w start >/dev/null
}

make_replica() {
    as_postgres "$BIN/pg_basebackup" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres \
        -D "$ROOT/replica" -R -X stream --no-sync
    settings "$REPLICA_PORT" >> "$ROOT/replica/postgresql.conf"
    start_replica
}

start_replica() {
    as_postgres "$BIN/pg_ctl" -D "$ROOT/replica" -l "$ROOT/replica.log" -w start >/dev/null
}

stop_cluster() {  # name, mode
    if [ -f "$ROOT/$1/postmaster.pid" ]; then
        as_postgres "$BIN/pg_ctl" -D "$ROOT/$1" -m "$2" -w stop >/dev/null || true
    fi
}

case "${1:-}" in
    start)
        "$0" stop
        mkdir -p "$ROOT"
        chown postgres "$ROOT" 2>/dev/null || true
        start_primary
        make_replica
        echo "primary: postgres://postgres@127.0.0.1:$PRIMARY_PORT/"
        echo "replica: postgres://postgres@127.0.0.1:$REPLICA_PORT/"
        ;;
    stop-replica) stop_cluster replica immediate ;;
    start-replica) start_replica ;;
    stop)
        stop_cluster replica immediate
        stop_cluster primary fast
        rm -rf "$ROOT"
        ;;
    *)
        echo "usage: $0 start | stop-replica | start-replica | stop" >&2
        exit 2
        ;;
esac
