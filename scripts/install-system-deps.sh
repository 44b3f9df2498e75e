#!/usr/bin/env bash
# Debian/Ubuntu packages Ferry's tests and demo run against: a real registry (CNCF distribution),
# skopeo, openssl, Chromium for the browser tests, htpasswd, gpg/gpgv (release signatures), a forward
# proxy (tinyproxy), and the tools the tests call.
set -euo pipefail
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
need=()
for pair in docker-registry:docker-registry skopeo:skopeo openssl:openssl chromium:chromium htpasswd:apache2-utils \
            unshare:util-linux ip:iproute2 curl:curl tar:tar sha256sum:coreutils gpg:gpg gpgv:gpgv tinyproxy:tinyproxy; do
  cmd=${pair%%:*}; pkg=${pair##*:}
  command -v "$cmd" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
