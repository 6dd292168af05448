#!/usr/bin/env sh
# Debian packages the tests use, installed once if missing:
# - chromium: the browser tests drive Debian's Chromium (never a downloaded one);
#   Noto fonts for Arabic and Greek place names in screenshots and PDFs;
# - python3-qgis: a test opens the exported QGIS project and layers in real QGIS;
# - nodejs and npm: ESLint (from the npm registry, see package.json) lints the slider's script.
set -eu
if [ -x /usr/bin/chromium ] && /usr/bin/python3 -c "import qgis.core" 2>/dev/null \
    && command -v node >/dev/null && command -v npm >/dev/null; then
    exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
else
    SUDO="sudo"
fi
echo "Installing Debian's chromium, python3-qgis, nodejs and npm for the tests (one time)..." >&2
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends \
    chromium fonts-noto-core fonts-dejavu-core python3-qgis nodejs npm
