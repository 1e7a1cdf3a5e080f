#!/bin/sh
# SPDX-License-Identifier: MIT
#
# The CMAKE_CROSSCOMPILING_EMULATOR of mingw-w64-x86_64.cmake: runs a Windows program under Wine
# in the given prefix, quietly.   wine-run.sh <wine prefix> <program.exe> [arguments...]
# A fresh prefix is created on first use. A wineserver is started unless one already serves the
# prefix, persistent for 60 s after its last client: consecutive tests then share one server
# instead of each booting its own, or racing one that is shutting down. It exits by itself;
# `WINEPREFIX=<prefix> wineserver -k` stops it at once.
set -eu
WINEPREFIX=$1
shift
export WINEPREFIX
export WINEDEBUG=-all
export WINEDLLOVERRIDES="mscoree,mshtml=" # never offer to install Mono or Gecko
mkdir -p "$WINEPREFIX"
wineserver -p60 2>/dev/null || true # exits 2 at once when a server is already running
exec wine "$@"
