#!/usr/bin/env bash
# Start a PostgreSQL 15 + PostGIS 3 server for the geo_app test suite (Debian 12, run as root).
#
# Idempotent: installs the Debian packages if missing, creates and starts the cluster 15/main
# on 127.0.0.1:5432, creates the role and the database geo_app_test with the postgis
# extension, and prints the URL the tests read from GEO_APP_TEST_POSTGIS_URL.
# The role has CREATEDB (the tests clone a fresh database per test from geo_app_test) and
# CREATEROLE: `geo-app init` creates the group roles geo_viewer, geo_officer and geo_admin, and
# the role tests create a login role per test (unique name) and drop it afterwards.
set -euo pipefail

PG_VERSION=15
PG_CLUSTER=${GEO_APP_PG_CLUSTER:-main}
PG_PORT=${GEO_APP_PG_PORT:-5432}
DB_USER=${GEO_APP_PG_USER:-geo_app}
DB_PASSWORD=${GEO_APP_PG_PASSWORD:-geo_app}
DB_NAME=${GEO_APP_PG_DB:-geo_app_test}

log() { echo "start_postgres: $*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
    log "run me as root (I install packages and start the cluster as user postgres)"
    exit 1
fi

packages=(postgresql "postgresql-${PG_VERSION}" "postgresql-${PG_VERSION}-postgis-3")
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

if ! pg_lsclusters -h | awk '{print $1"/"$2}' | grep -qx "${PG_VERSION}/${PG_CLUSTER}"; then
    log "creating cluster ${PG_VERSION}/${PG_CLUSTER}"
    pg_createcluster "${PG_VERSION}" "${PG_CLUSTER}" --port "${PG_PORT}" >&2
fi

status=$(pg_lsclusters -h | awk -v v="${PG_VERSION}" -v c="${PG_CLUSTER}" '$1==v && $2==c {print $4}')
if [ "${status}" != "online" ]; then
    log "starting cluster ${PG_VERSION}/${PG_CLUSTER}"
    pg_ctlcluster "${PG_VERSION}" "${PG_CLUSTER}" start >&2
fi

for _ in $(seq 1 60); do
    pg_isready -q -h 127.0.0.1 -p "${PG_PORT}" && break
    sleep 0.5
done
pg_isready -q -h 127.0.0.1 -p "${PG_PORT}" || { log "server did not become ready"; exit 1; }

psql_admin() { PGOPTIONS="-c client_min_messages=warning" runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p "${PG_PORT}" "$@"; }

psql_admin -d postgres <<SQL
DO \$\$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${DB_USER}') THEN
        CREATE ROLE ${DB_USER} LOGIN CREATEDB CREATEROLE PASSWORD '${DB_PASSWORD}';
    ELSE
        ALTER ROLE ${DB_USER} LOGIN CREATEDB CREATEROLE PASSWORD '${DB_PASSWORD}';
    END IF;
END
\$\$;
SQL

if [ -z "$(psql_admin -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '${DB_NAME}'")" ]; then
    log "creating database ${DB_NAME}"
    psql_admin -d postgres -c "CREATE DATABASE ${DB_NAME} OWNER ${DB_USER}"
fi
psql_admin -d "${DB_NAME}" -c "CREATE EXTENSION IF NOT EXISTS postgis"

echo "postgresql://${DB_USER}:${DB_PASSWORD}@127.0.0.1:${PG_PORT}/${DB_NAME}"
