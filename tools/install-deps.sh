#!/usr/bin/env bash
# Installs what a make target needs, only if missing: Debian packages with apt-get (when root; otherwise prints
# the exact command to run) and npm packages from the lock file. Usage: install-deps.sh build|npm|test|browsers
set -euo pipefail
cd "$(dirname "$0")/.."

need_pkgs=()
want() { # want <command-or-path> <debian-package>
  if ! command -v "$1" >/dev/null 2>&1 && [ ! -e "$1" ]; then need_pkgs+=("$2"); fi
}
want_torch() {
  /usr/bin/python3 -c 'import torch' >/dev/null 2>&1 || need_pkgs+=(python3-torch)
}

case "${1:-test}" in
  build) want emcc emscripten; want wasm-dis binaryen ;;
  npm) ;;
  test) want emcc emscripten; want wasm-dis binaryen; want /usr/bin/chromium chromium; want_torch
        want clang clang; want /usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a libclang-rt-14-dev
        want mkdocs mkdocs; want /usr/share/mkdocs/themes/material mkdocs-material ;; # tests/e2e/mkdocs.test.mjs
  # make test-browsers: Chromium, Firefox ESR, WebKitGTK's MiniBrowser and its WebDriver, and a virtual display for it
  browsers) want /usr/bin/chromium chromium; want /usr/bin/firefox-esr firefox-esr; want /usr/bin/WebKitWebDriver webkit2gtk-driver
            want xvfb-run xvfb ;;
  *) echo "usage: $0 build|npm|test|browsers" >&2; exit 2 ;;
esac

if [ ${#need_pkgs[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "installing Debian packages: ${need_pkgs[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
  else
    echo "missing Debian packages; run:  sudo apt-get update && sudo apt-get install -y ${need_pkgs[*]}" >&2
    exit 1
  fi
fi

if [ "${1:-test}" != build ]; then
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund
  fi
fi
