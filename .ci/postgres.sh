# shellcheck shell=bash
# Sourced by .ci/run (and usable by hand: `source .ci/postgres.sh`): starts a throwaway
# PostgreSQL cluster for the store tests and exports DEPGATE_TEST_POSTGRES_URL.
# Debian's `postgresql` package is installed when missing; the cluster lives in a temporary
# directory, listens on 127.0.0.1 on a free port, trusts local connections, runs as the
# `postgres` user (the server refuses to run as root) and is stopped when the shell exits.

if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
depgate_pg_bin="$(dirname "$(printf '%s\n' /usr/lib/postgresql/*/bin/pg_ctl | sort -V | tail -n 1)")"
depgate_pg_dir="$(mktemp -d /tmp/depgate-postgres.XXXXXX)"
chown postgres "$depgate_pg_dir"
# A free port: the kernel picks one for a socket bound to port 0.
depgate_pg_port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
su postgres -s /bin/sh -c "'$depgate_pg_bin/initdb' -D '$depgate_pg_dir/data' -U postgres -A trust --no-sync" >/dev/null
su postgres -s /bin/sh -c "'$depgate_pg_bin/pg_ctl' -D '$depgate_pg_dir/data' -l '$depgate_pg_dir/server.log' -w \
  -o \"-p $depgate_pg_port -k '$depgate_pg_dir' -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200\" start" >/dev/null
depgate_stop_postgres() {
  su postgres -s /bin/sh -c "'$depgate_pg_bin/pg_ctl' -D '$depgate_pg_dir/data' -m immediate stop" >/dev/null 2>&1 || true
  rm -rf "$depgate_pg_dir"
}
trap depgate_stop_postgres EXIT
export DEPGATE_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$depgate_pg_port/postgres"
echo "PostgreSQL $("$depgate_pg_bin/postgres" --version | awk '{print $3}') for the store tests at $DEPGATE_TEST_POSTGRES_URL"
