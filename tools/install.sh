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
# Free stand-ins for the official faces (perfdoc/build/fonts.conf maps the names):
# Noto Serif CJK SC for 宋体/仿宋/方正小标宋, Noto Sans CJK SC for 黑体, LXGW WenKai
# for 楷体, Liberation Serif (metrics of Times New Roman) for digits and Latin text.
# (grep reads all of fc-list's output: with -q it could stop early and, under pipefail,
# fc-list's SIGPIPE would count as "not installed")
has_font() { fc-list : family 2>/dev/null | grep -i -- "$1" >/dev/null; }
has_font "Noto Serif CJK SC" || need_debs+=(fonts-noto-cjk)
has_font "LXGW WenKai" || need_debs+=(fonts-lxgw-wenkai)
has_font "Liberation Serif" || need_debs+=(fonts-liberation2)
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
