#!/usr/bin/env bash
# System packages the whole test suite needs on Debian 12 (run as root, idempotent):
# Chromium (+ CJK fonts so Chinese labels render) for the browser tests and a running
# PostgreSQL 15 + PostGIS 3 server (scripts/ci/start_postgres.sh). No Node/npm: the map
# assets are committed (geo_app/static/vendor); npm is only for upgrading them.
set -euo pipefail
cd "$(dirname "$0")/../.."

need=()
for p in chromium fonts-noto-cjk; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if [ "${#need[@]}" -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "setup_system: please install ${need[*]} (sudo apt-get install -y ${need[*]})" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
bash scripts/ci/start_postgres.sh >/dev/null
