#!/usr/bin/env bash
# Installs Debian's docker-compose 1.29 (a Python program that validates compose files without a Docker
# engine) when no docker-compose is on the PATH. Used by .ci/run and by cluster-it's ComposeFileTest, so
# the README's test command works on a fresh Debian machine. Needs root and Debian's package registry.
set -euo pipefail
command -v docker-compose >/dev/null 2>&1 && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "docker-compose is missing: install Debian's docker-compose package (or Docker's Compose) as root" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends docker-compose >/dev/null
command -v docker-compose >/dev/null
