#!/usr/bin/env bash
# Start or stop a private, throwaway PostgreSQL + PostGIS cluster on 127.0.0.1.
#   scripts/pg-cluster.sh start DIR PORT DBNAME...   (prints nothing; DIR must not exist)
#   scripts/pg-cluster.sh stop DIR
# Runs the server as the `postgres` system user (PostgreSQL refuses to run as root).
set -euo pipefail
cmd=${1:?start|stop}; dir=${2:?cluster directory}
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
as_pg() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi; }

case "$cmd" in
  start)
    port=${3:?port}; shift 3
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres: "$dir"
    as_pg "$bin/initdb -D $dir/data -U postgres --auth=trust -E UTF8" >/dev/null
    as_pg "$bin/pg_ctl -D $dir/data -l $dir/server.log -w \
      -o '-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off' start" >/dev/null
    for db in "$@"; do
      as_pg "$bin/createdb -h 127.0.0.1 -p $port -U postgres $db"
      as_pg "$bin/psql -q -h 127.0.0.1 -p $port -U postgres -d $db -c 'CREATE EXTENSION postgis'"
    done ;;
  stop)
    [ -d "$dir/data" ] && as_pg "$bin/pg_ctl -D $dir/data -m fast -w stop" >/dev/null 2>&1 || true
    rm -rf "$dir" ;;
  *) echo "usage: $0 start DIR PORT DB... | stop DIR" >&2; exit 2 ;;
esac
