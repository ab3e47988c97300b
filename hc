#!/usr/bin/env bash
# healthcast's entry point on a Debian 12 machine; `./hc help` lists the commands.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BUILD=${HEALTHCAST_BUILD_DIR:-$ROOT/build}
SANITIZE_BUILD=$BUILD/sanitize
FUZZ_BUILD=$BUILD/fuzz
# Warnings are errors in the project's own code (CI relies on it); HEALTHCAST_WERROR=OFF builds
# anyway, e.g. with a newer compiler that warns about more.
WERROR=${HEALTHCAST_WERROR:-ON}

# Everything the build, the tests, the checks and the Python side need, from Debian's archive.
PACKAGES=(
  cmake ninja-build g++ git pkg-config ccache clang-format clang libfuzzer-14-dev
  libeigen3-dev libboost-dev libhdf5-dev libyaml-cpp-dev libfmt-dev libcli11-dev
  libgtest-dev libbenchmark-dev pybind11-dev librandom123-dev nlohmann-json3-dev libtbb-dev
  python3 python3-dev python3-numpy python3-pandas python3-h5py python3-xarray
  python3-h5netcdf python3-pytest python3-matplotlib python3-jsonschema
  python3-yaml python3-tqdm python3-venv python3-nbclient python3-nbformat python3-ipykernel
  python3-jinja2 python3-openpyxl python3-dask python3-distributed udunits-bin fonts-noto-cjk
  chromium chromium-driver python3-selenium
)

usage() {
  local b=${BUILD#"$ROOT"/}
  cat <<EOF
Usage: ./hc COMMAND [ARGUMENTS...]

Every command but help first installs missing Debian packages (apt-get, as root or through
sudo); all but help and the format commands then configure and build in $b/ on first use and
rebuild what changed afterwards (HEALTHCAST_BUILD_DIR names another build folder).

The healthcast program (each command has --help; the program is also $b/bin/healthcast):
  run [SCENARIO...] [-o OUT.h5]    project scenarios (default: scenarios/china_reference.yaml)
  merge PART.h5... -o OUT.h5       parts of a run (run --draws N --draw-range A:B) into the
                                   whole run, bit for bit
  validate SCENARIO...             check a scenario and all its input files
  info RESULTS.h5                  describe a results file
  lifetable MX.csv                 life table from death rates (CSV columns age,mx)
  targets RESULTS.h5               the plan's targets judged on a results file
  compare REFERENCE.h5 RUN.h5...   deaths averted, life-years gained, DALYs averted, differences
  solve SCENARIO --target I:Y --lever N.F   the lever size that meets a target
  report RESULTS.h5 [-o FILE]      a planner's report: one offline HTML file (or --format xlsx),
                                   --lang zh|en, --reference REF.h5 for deaths averted
  backtest SCENARIO                back-test every mortality method over several origins
  units [QUERY]                    census units: code, name, level, parent, 2020 population
  batch MANIFEST.yaml -o OUTDIR    scenarios x census units x draws on Dask distributed
                                   (--workers N or --scheduler ADDRESS), resumable;
                                   batch status OUTDIR counts its tasks (docs/batch.md)
  import population TABLE.csv      a yearbook table (5-year groups) to single years
  --version                        the program's version and git revision

Python ($b/venv: Debian's packages plus this build's healthcast):
  python [ARGUMENTS...]            its interpreter (or: source $b/venv/bin/activate)
  jupyter [ARGUMENTS...]           Jupyter with its kernel "healthcast" (a notebook server
                                   needs Debian's jupyter-notebook)

Checks (bash .ci/run runs format-check, test and sanitize, as CI does):
  test [CTEST ARGUMENTS...]        build with warnings as errors and run every test (ctest)
  sanitize [GTEST ARGUMENTS...]    build the C++ tests with ASan and UBSan in
                                   $b/sanitize and run them
  fuzz [SECONDS [TARGET...]]       build the libFuzzer targets (clang, ASan, UBSan) in
                                   $b/fuzz and run each for SECONDS (default 60):
                                   scenario, csv, health, results
  format-check                     check every C++ file against .clang-format
  format                           reformat every C++ file in place

  help, --help, -h                 this text
EOF
}

say() { printf '[hc] %s\n' "$*" >&2; }

# A folder or file hc must write (in a build folder) that it cannot: say so and how to choose
# another build folder. cannot_write PATH [WHY]
cannot_write() {
  local what=$1 why=${2:-} near
  if [ -z "$why" ]; then
    near=$(existing_parent "$what")
    if [ -d "$near" ] || [ "$near" = "$what" ]; then
      why="$near belongs to $(stat -c %U "$near" 2>/dev/null || echo '?') and $(id -un) cannot write it"
    else
      why="$near is not a folder"
    fi
  fi
  say "cannot write $what: $why."
  say "Set HEALTHCAST_BUILD_DIR to a folder you can write, e.g."
  say "  HEALTHCAST_BUILD_DIR=\$HOME/healthcast-build ./hc $COMMAND"
  exit 1
}

existing_parent() {
  local p=$1
  while [ ! -e "$p" ] && [ "$p" != / ]; do p=$(dirname "$p"); done
  printf '%s\n' "$p"
}

# Checked before anything is installed or built, so that a user who cannot write the build
# folder hears that, not "the build failed".
ensure_writable() {
  local dir=$1 f
  if ! mkdir -p "$dir" 2>/dev/null || [ ! -w "$dir" ]; then cannot_write "$dir"; fi
  for f in "$dir"/build.ninja "$dir"/.ninja_log "$dir"/.ninja_deps "$dir"/CMakeCache.txt; do
    [ ! -e "$f" ] || [ -w "$f" ] || cannot_write "$f"
  done
}

ensure_packages() {
  local missing=() p status
  declare -A installed=()
  while read -r p status; do
    [ "$status" = installed ] && installed[$p]=1
  done < <(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${PACKAGES[@]}" 2>/dev/null || true)
  for p in "${PACKAGES[@]}"; do
    [ -n "${installed[$p]:-}" ] || missing+=("$p")
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

# configure DIR -DNAME=VALUE...: (re)configures DIR when it has no build yet or its cache lacks
# one of the settings.
configure() {
  local dir=$1 setting name value stale=
  shift
  local settings=("$@")
  if command -v ccache >/dev/null; then
    settings+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
    # Paths relative to the clone, so that other clones and worktrees share the cache.
    export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$ROOT}
  fi
  if [ -f "$dir/build.ninja" ] && [ -f "$dir/CMakeCache.txt" ]; then
    for setting in "${settings[@]}"; do
      name=${setting#-D}; value=${name#*=}; name=${name%%=*}
      [ "$name" = CMAKE_BUILD_TYPE ] && continue  # the first configuration chose it
      grep -qxF -e "$name:BOOL=$value" -e "$name:STRING=$value" -e "$name:UNINITIALIZED=$value" \
        -e "$name:FILEPATH=$value" "$dir/CMakeCache.txt" || stale=1
    done
    [ -z "$stale" ] && return 0
  fi
  say "configuring the build in $dir"
  ensure_writable "$dir"
  : 2>/dev/null > "$dir/last-configure.log" || cannot_write "$dir/last-configure.log"
  if ! cmake -S "$ROOT" -B "$dir" -G Ninja "${settings[@]}" > "$dir/last-configure.log" 2>&1; then
    cat "$dir/last-configure.log" >&2
    say "configuring failed (log: $dir/last-configure.log)"
    exit 1
  fi
}

# build DIR [cmake --build arguments...]. A failed build must stop here: an older binary left in
# DIR would otherwise run.
build() {
  local dir=$1 log=$1/last-build.log
  shift
  say "building in $dir"
  : 2>/dev/null > "$log" || cannot_write "$log"
  if ! cmake --build "$dir" --parallel "$(nproc)" "$@" > "$log" 2>&1; then
    grep -vE '^\[[0-9]+/[0-9]+\] ' "$log" >&2 || true
    if grep -qE 'Permission denied|Read-only file system' "$log"; then
      cannot_write "$dir" "some of its files are not writable (see the messages above)"
    fi
    say "the build failed (log: $log)"
    if [ "$WERROR" = ON ] && grep -q -- '\[-Werror=' "$log"; then
      say "warnings are errors; HEALTHCAST_WERROR=OFF ./hc $COMMAND builds despite them"
    fi
    exit 1
  fi
}

ensure_build() {
  configure "$BUILD" -DCMAKE_BUILD_TYPE=Release -DHEALTHCAST_WERROR="$WERROR"
  build "$BUILD"
}

# ./hc once wrote a healthcast.pth naming this clone's build into /usr/local for every user;
# the build's own venv replaced it, and a leftover one would shadow other clones.
remove_global_pth() {
  local pth target
  for pth in /usr/local/lib/python3*/dist-packages/healthcast.pth; do
    [ -f "$pth" ] || continue
    target=$(head -n 1 "$pth")
    case "$target/" in
      "$ROOT"/* | "$BUILD"/*) ;;
      *) continue ;;
    esac
    if rm -f "$pth" 2>/dev/null; then
      say "removed $pth (an older ./hc wrote it; build/venv replaces it)"
    else
      say "$pth names this clone's build for every user; remove it: sudo rm $pth"
    fi
  done
}

# The C++ tests built with AddressSanitizer and UndefinedBehaviorSanitizer (-O1, assertions on,
# line tables for the reports), in a folder of their own; any finding (leaks too) stops the run
# with a non-zero exit status.
sanitize() {
  configure "$SANITIZE_BUILD" -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -g1" \
    -DHEALTHCAST_SANITIZE=ON -DHEALTHCAST_WERROR="$WERROR" -DHEALTHCAST_BUILD_PYTHON=OFF
  # NOHASHDIR: share objects between clones; their debug information then names the folder
  # of the clone that compiled them first, which the reports do not need.
  CCACHE_NOHASHDIR=1 build "$SANITIZE_BUILD" --target healthcast_tests
  cd "$SANITIZE_BUILD/tests"
  # Brief: only failures and the summary (GTEST_BRIEF=0 lists every test).
  GTEST_BRIEF=${GTEST_BRIEF:-1} ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1 \
    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 exec ./healthcast_tests "$@"
}

# libFuzzer targets (fuzz/: scenario, csv, health, results) built with clang, ASan and UBSan in
# their own folder and run for SECONDS each (default 60) on a copy of the committed seed corpus
# (fuzz/corpus/TARGET); new inputs stay in the build folder's corpus, a crash's input is written
# to $BUILD/fuzz/findings and ends the run with a non-zero status.
fuzz() {
  local seconds=${1:-60} targets=("${@:2}") t dir=$FUZZ_BUILD built
  [ ${#targets[@]} -eq 0 ] && targets=(scenario csv health results)
  built=("${targets[@]}")
  [[ " ${targets[*]} " == *" results "* ]] && built+=(results_sandboxed)
  CXX=clang++ CC=clang configure "$dir" -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -g1" \
    -DCMAKE_CXX_COMPILER=/usr/bin/clang++ -DHEALTHCAST_FUZZ=ON -DHEALTHCAST_WERROR=OFF \
    -DHEALTHCAST_BUILD_PYTHON=OFF -DHEALTHCAST_BUILD_TESTS=OFF -DHEALTHCAST_BUILD_BENCH=OFF
  CCACHE_NOHASHDIR=1 build "$dir" $(printf -- '--target fuzz_%s ' "${built[@]}")
  mkdir -p "$dir/findings"
  for t in "${targets[@]}"; do
    mkdir -p "$dir/corpus/$t"
    cp -n "$ROOT/fuzz/corpus/$t/"* "$dir/corpus/$t/" 2>/dev/null || true
    # fuzz_results reads in process, where libhdf5 may crash or hang on a crafted file (programs
    # read in a child process): fuzz on past those (libFuzzer's fork mode), then check below
    # that the sandboxed reader refuses each of them cleanly.
    local mode=()
    [ "$t" = results ] && mode=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
    touch "$dir/findings/.start-$t"
    say "fuzzing $t for $seconds s"
    ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:allocator_may_return_null=1 \
      UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
      "$dir/bin/fuzz_$t" "${mode[@]}" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=20 \
      -print_final_stats=1 -artifact_prefix="$dir/findings/$t-" "$dir/corpus/$t" \
      "$ROOT/fuzz/corpus/$t" 2>&1 | grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units|==[0-9]+==|SUMMARY|INFO: Running|INFO: exiting|artifact|#[0-9]+: cov)' | tail -n 40 || true
    [ "${PIPESTATUS[0]}" -eq 0 ] || { say "fuzz_$t found a problem (input in $dir/findings)"; exit 1; }
    [ "$t" = results ] || continue
    local found=0 f
    for f in "$dir/findings/results-"*; do
      [ -f "$f" ] && [ "$f" -nt "$dir/findings/.start-$t" ] || continue
      found=$((found + 1))
      ASAN_OPTIONS=detect_leaks=1 timeout 600 "$dir/bin/fuzz_results_sandboxed" "$f" >/dev/null 2>&1 ||
        { say "the sandboxed results reader did not refuse $f cleanly"; exit 1; }
    done
    [ "$found" -eq 0 ] || say "$found inputs stopped libhdf5 in process; the sandboxed reader refused each"
  done
}

# C++ files under version control or new and not ignored (`git ls-files`), that exist.
cpp_files() {
  git -C "$ROOT" -c safe.directory="$ROOT" ls-files --cached --others --exclude-standard -z -- \
    '*.cpp' '*.h' '*.hpp' '*.cc' '*.cpp.in' '*.h.in' |
    while IFS= read -r -d '' f; do [ -f "$ROOT/$f" ] && printf '%s\0' "$ROOT/$f"; done
}

format_check() {
  local out files f
  if out=$(cpp_files | xargs -0 -r clang-format --dry-run -Werror --ferror-limit=1 2>&1); then
    say "every C++ file is formatted as .clang-format says ($(clang-format --version))"
    return 0
  fi
  files=$(sed -nE 's/^(.*):[0-9]+:[0-9]+: error: code should be clang-formatted.*/\1/p' <<<"$out" |
    sort -u)
  if [ -z "$files" ]; then
    printf '%s\n' "$out" >&2
    say "clang-format failed"
  else
    say "not formatted as .clang-format says (./hc format, or clang-format -i FILE):"
    while IFS= read -r f; do printf '  %s\n' "${f#"$ROOT"/}"; done <<<"$files" >&2
  fi
  exit 1
}

COMMAND=${1:-}
case "$COMMAND" in
  "")
    usage >&2
    exit 2
    ;;
  help | --help | -h)
    usage
    exit 0
    ;;
esac
shift

case "$COMMAND" in
  format-check)
    ensure_packages
    format_check
    ;;
  format)
    ensure_packages
    cpp_files | xargs -0 -r clang-format -i
    ;;
  sanitize)
    ensure_writable "$BUILD"
    ensure_packages
    sanitize "$@"
    ;;
  fuzz)
    ensure_writable "$BUILD"
    ensure_packages
    fuzz "$@"
    ;;
  test | python | jupyter)
    ensure_writable "$BUILD"
    ensure_packages
    ensure_build
    remove_global_pth
    venv=$BUILD/venv
    case "$COMMAND" in
      test)
        cd "$BUILD"
        exec ctest --output-on-failure --parallel "$(nproc)" "$@"
        ;;
      python)
        exec "$venv/bin/python" "$@"
        ;;
      jupyter)
        # The server finds the venv's kernel through JUPYTER_PATH and its own front end on PATH.
        export JUPYTER_PATH=$venv/share/jupyter${JUPYTER_PATH:+:$JUPYTER_PATH}
        export PATH=$venv/bin:$PATH
        exec "$venv/bin/python" -m jupyter "$@"
        ;;
    esac
    ;;
  *)
    # Any other command is the healthcast program's (usage lists them; tests/python/test_hc.py
    # checks the list against the program), which rejects unknown ones with exit status 2.
    ensure_writable "$BUILD"
    ensure_packages
    ensure_build
    remove_global_pth
    if [[ "$COMMAND" != -* ]] &&
      ! "$BUILD/bin/healthcast" --help | sed '1,/^Subcommands:/d' | grep -q "^  $COMMAND "; then
      say "unknown command: $COMMAND (./hc help lists them)"
      exit 2
    fi
    if [ "$COMMAND" = run ] && { [ $# -eq 0 ] || [[ "$1" == -* ]]; }; then
      set -- "$ROOT/scenarios/china_reference.yaml" "$@"
    fi
    exec "$BUILD/bin/healthcast" "$COMMAND" "$@"
    ;;
esac
