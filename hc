#!/usr/bin/env bash
# healthcast's entry point on a fresh Debian 12 machine. Each command first installs missing
# Debian packages (apt-get, as root), configures and builds on first use and rebuilds what
# changed afterwards, then does its job:
#   ./hc run [SCENARIO] [-o OUT.h5]   project a scenario (default: scenarios/china_reference.yaml)
#   ./hc test                         run every test (C++ and Python) through ctest
#   ./hc <command> ...                any other healthcast command (validate, info, lifetable)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BUILD=${HEALTHCAST_BUILD_DIR:-$ROOT/build}

# Everything the build, the tests and the Python side need, from Debian's archive only.
PACKAGES=(
  cmake ninja-build g++ git pkg-config
  libeigen3-dev libboost-dev libhdf5-dev libyaml-cpp-dev libfmt-dev libcli11-dev
  libgtest-dev libbenchmark-dev pybind11-dev librandom123-dev nlohmann-json3-dev
  python3 python3-dev python3-numpy python3-pandas python3-h5py python3-xarray
  python3-h5netcdf python3-pytest python3-matplotlib python3-jsonschema
  python3-yaml python3-tqdm python3-venv python3-nbclient python3-nbformat python3-ipykernel
  fonts-noto-cjk
)

say() { printf '[hc] %s\n' "$*" >&2; }

ensure_packages() {
  local missing=() p
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing missing Debian packages: ${missing[*]}"
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { say "run as root (or install sudo) to install: ${missing[*]}"; exit 1; }
    sudo=(sudo)
  fi
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_build() {
  if [ ! -f "$BUILD/build.ninja" ]; then
    say "configuring the build in $BUILD"
    cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  fi
  say "building"
  # A failed build must stop here: an older binary left in $BUILD would otherwise run.
  if ! cmake --build "$BUILD" --parallel "$(nproc)" > "$BUILD/last-build.log" 2>&1; then
    grep -vE '^\[[0-9]+/[0-9]+\] ' "$BUILD/last-build.log" >&2
    say "the build failed (log: $BUILD/last-build.log)"
    exit 1
  fi
}

# Makes `import healthcast` work for /usr/bin/python3 from any folder (and in venvs made with
# --system-site-packages): a .pth file naming $BUILD/python in the first site folder under
# /usr/local. Rewritten only when missing or pointing elsewhere.
ensure_python_path() {
  [ -d "$BUILD/python/healthcast" ] || return 0
  local site pth
  site=$(/usr/bin/python3 -c 'import site; print(next((p for p in site.getsitepackages() if p.startswith("/usr/local/")), ""))')
  [ -n "$site" ] || { say "no /usr/local site folder for /usr/bin/python3; set PYTHONPATH=$BUILD/python"; return 0; }
  pth="$site/healthcast.pth"
  [ "$(cat "$pth" 2>/dev/null)" = "$BUILD/python" ] && return 0
  say "making healthcast importable: $pth -> $BUILD/python"
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { say "run as root (or install sudo) to write $pth"; return 0; }
    sudo=(sudo)
  fi
  "${sudo[@]}" mkdir -p "$site"
  printf '%s\n' "$BUILD/python" | "${sudo[@]}" tee "$pth" >/dev/null
}

command=${1:-}
[ -n "$command" ] || { sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
shift
ensure_packages
ensure_build
ensure_python_path
case "$command" in
  run)
    if [ $# -eq 0 ] || [[ "$1" == -* ]]; then set -- "$ROOT/scenarios/china_reference.yaml" "$@"; fi
    exec "$BUILD/bin/healthcast" run "$@"
    ;;
  test)
    cd "$BUILD"
    exec ctest --output-on-failure --parallel "$(nproc)" "$@"
    ;;
  *)
    exec "$BUILD/bin/healthcast" "$command" "$@"
    ;;
esac
