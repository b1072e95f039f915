#!/usr/bin/env bash
# Installs the Debian packages the console's tests run against: PostgreSQL (the API tests run on a real
# server, started by the test as the `postgres` user in a temp directory) and headless Chromium with its
# chromedriver (the browser test, driven by Selenium). Idempotent and quick when everything is there.
# Used by .ci/run (the README's test command); needs root and Debian's package registry.
set -euo pipefail
missing=()
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
[ -n "$pg_bin" ] && [ -x "$pg_bin/initdb" ] && [ -x "$pg_bin/pg_ctl" ] || missing+=(postgresql)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "missing test packages: ${missing[*]}: install Debian's packages as root" \
       "(apt-get install -y postgresql chromium chromium-driver)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "installed ${missing[*]}"
