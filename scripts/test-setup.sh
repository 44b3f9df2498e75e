#!/usr/bin/env bash
# Installs what the tests need on Debian/Ubuntu, then builds, type-checks and runs every test tier.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
need=()
for pair in docker-registry:docker-registry skopeo:skopeo openssl:openssl chromium:chromium htpasswd:apache2-utils unshare:util-linux ip:iproute2 curl:curl tar:tar; do
  cmd=${pair%%:*}; pkg=${pair##*:}
  command -v "$cmd" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
export ELECTRON_SKIP_BINARY_DOWNLOAD=1
npm ci --no-audit --no-fund
npm run typecheck
npm run build
npm test
