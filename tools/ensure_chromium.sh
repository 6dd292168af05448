#!/usr/bin/env sh
# Browser tests drive Debian's Chromium (never a downloaded one): install it if missing.
# Fonts: Noto for Arabic and Greek place names in screenshots and PDFs.
set -eu
if [ -x /usr/bin/chromium ]; then
    exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
else
    SUDO="sudo"
fi
echo "Installing Debian's chromium for the browser tests (one time)..." >&2
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends \
    chromium fonts-noto-core fonts-dejavu-core
