#!/usr/bin/env bash
# Compose one-shot "model-bootstrap": signing keys (kept in the keys volume), the signed bootstrap model in the
# model store, its champion descriptor (<store>/champion.json) and the public key the job verifies bundles
# with (<store>/trust/model-signing.pub). Does nothing when they exist.
set -euo pipefail
cd "$(dirname "$0")/../.."
exec bash deploy/compose/java-tool.sh trainer deploy/compose/ModelBootstrap.java "$@"
