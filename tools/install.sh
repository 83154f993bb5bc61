#!/usr/bin/env bash
# Installs what perfdoc needs on a fresh Debian machine, then builds every
# example document (Word and PDF) into build/.
#   bash tools/install.sh            install + build the examples
#   bash tools/install.sh --no-build install only
set -euo pipefail
cd "$(dirname "$0")/.."

need_debs=()
command -v soffice >/dev/null 2>&1 || need_debs+=(libreoffice-writer)
command -v pdftoppm >/dev/null 2>&1 || need_debs+=(poppler-utils)
fc-list 2>/dev/null | grep -qi "Noto Serif CJK" || need_debs+=(fonts-noto-cjk)
if [ ${#need_debs[@]} -gt 0 ]; then
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo_cmd apt-get update -qq
  $sudo_cmd apt-get install -y -qq --no-install-recommends "${need_debs[@]}" fontconfig
fi

python3 -m pip install --quiet --disable-pip-version-check -e '.[test]'

if [ "${1:-}" != "--no-build" ]; then
  perfdoc validate sources
  perfdoc build --pdf sources
fi
