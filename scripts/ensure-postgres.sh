#!/usr/bin/env bash
# Make sure a PostgreSQL server answers on 127.0.0.1:5432 (user postgres). Uses the local server if
# it runs, starts the local cluster if it is stopped, installs Debian's postgresql if there is none.
set -euo pipefail

answers() { pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; }

if command -v pg_isready >/dev/null && answers; then
  exit 0
fi
if ! command -v pg_ctlcluster >/dev/null; then
  echo "ensure-postgres: installing PostgreSQL from Debian packages" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
for version in $(ls /etc/postgresql 2>/dev/null); do
  pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null || true
done
for _ in $(seq 1 30); do
  if answers; then
    # Local test runs connect as postgres over TCP without a password (trust), as on the CI machine.
    if ! psql -h 127.0.0.1 -U postgres -c 'select 1' >/dev/null 2>&1; then
      hba=$(ls /etc/postgresql/*/main/pg_hba.conf | head -n 1)
      echo "host all all 127.0.0.1/32 trust" | cat - "$hba" > "$hba.new" && mv "$hba.new" "$hba"
      for version in $(ls /etc/postgresql); do
        pg_ctlcluster --skip-systemctl-redirect "$version" main reload || true
      done
    fi
    exit 0
  fi
  sleep 1
done
echo "ensure-postgres: PostgreSQL did not start" >&2
exit 1
