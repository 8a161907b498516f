#!/usr/bin/env bash
# Makes sure a PostgreSQL server answers on 127.0.0.1:5432 for the integration tests. When
# none runs, it starts a private cluster from Debian's postgresql package (initdb refuses
# root, so the cluster belongs to the postgres user) with trust auth on loopback only.
set -euo pipefail
port=${WARREN_TEST_PG_PORT:-5432}
if pg_isready -q -h 127.0.0.1 -p "$port" 2>/dev/null; then exit 0; fi
bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
dir=/var/tmp/warren-test-pg
if [ ! -f "$dir/PG_VERSION" ]; then
  mkdir -p "$dir" && chown postgres:postgres "$dir"
  su postgres -c "$bindir/initdb -D $dir -U postgres --auth=trust >/dev/null"
fi
su postgres -c "$bindir/pg_ctl -D $dir -o '-p $port -k /tmp -c listen_addresses=127.0.0.1' -l $dir/log -w start >/dev/null"
pg_isready -q -h 127.0.0.1 -p "$port"
