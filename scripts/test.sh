#!/usr/bin/env bash
# The one test command for GovernancePortal.
#
#   scripts/test.sh [extra dotnet test args...]     e.g. scripts/test.sh --filter "FullyQualifiedName~Audit"
#
# - Installs missing prerequisites with apt-get (as root, or via passwordless sudo):
#   chromium, postgresql, poppler-utils, fonts-dejavu-core, nodejs + npm. The .NET SDK must already be on PATH.
# - Installs the test OIDC provider's packages (tests/oidc-provider, `npm ci` from its lock file);
#   the Entra ID sign-in tests run it as a stand-in for Entra. Likewise axe-core (tests/accessibility),
#   which the browser journeys evaluate in their pages.
# - Starts a throwaway PostgreSQL cluster (temp dir, free port on 127.0.0.1, trust auth)
#   and stops/removes it on exit, failure, Ctrl-C or SIGTERM.
# - Runs `dotnet test GovernancePortal.sln` from the repo root with:
#     GOVERNANCE_TEST_POSTGRES      Npgsql connection string (superuser "postgres"; tests create their own databases)
#     GOVERNANCE_TEST_POSTGRES_URI  the same server as a libpq URI (psql, pg_dump, ...)
#     GOVERNANCE_TEST_CHROMIUM      path of the chromium binary
#     GOVERNANCE_TEST_PDFTOPPM      path of pdftoppm
# - Output is also written to artifacts/test-results/test-run.log; the last line is
#   "N passed, N failed" (", N skipped" appended when N > 0).
# - Exit code = the exit code of dotnet test (128+signal when interrupted).
#
# For checking the infrastructure without building anything, GOVERNANCE_TEST_COMMAND replaces
# the dotnet test command (run with bash -c; extra args are passed as "$@"), e.g.
#   GOVERNANCE_TEST_COMMAND='psql "$GOVERNANCE_TEST_POSTGRES_URI" -c "select version()"' scripts/test.sh
# shellcheck disable=SC2317 # functions below are invoked from traps
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"
# shellcheck source=scripts/lib/postgres.sh
source "$repo_root/scripts/lib/postgres.sh"

export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

say() { printf '==> %s\n' "$*"; }
die() {
  printf 'error: %s\n' "$1" >&2
  shift
  local line
  for line in "$@"; do printf '       %s\n' "$line" >&2; done
  exit 1
}

test_pid=""
tail_pid=""
forward_int=0
log_file=""
results_dir="$repo_root/artifacts/test-results"

# ---------------------------------------------------------------------------
# Cleanup: runs on every exit path (normal, error, signal).
# ---------------------------------------------------------------------------

# pgid of a process, from /proc (procps/ps is not installed on a bare Debian image).
pgid_of() {
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  stat="${stat##*) }" # drop "pid (comm) ": comm may contain spaces
  local _state _ppid pgrp _rest
  read -r _state _ppid pgrp _rest <<<"$stat"
  printf '%s\n' "$pgrp"
}

# Stop the test command and everything it started (it runs in its own session/process group).
stop_tests() {
  local sig="$1"
  [[ -n "$test_pid" ]] || return 0
  local target="$test_pid"
  if [[ "$(pgid_of "$test_pid" || true)" == "$test_pid" ]]; then
    target="-$test_pid"
  fi
  if [[ "$sig" != TERM && ( "$sig" != INT || "$forward_int" != 1 ) ]]; then
    sig=TERM
  fi
  if gov_proc_alive "$test_pid"; then
    kill -s "$sig" -- "$target" 2>/dev/null || true
    # Grace period, then SIGKILL. (Polling, not a watchdog subshell: this runs with
    # INT/TERM ignored, which a subshell would inherit.)
    local i
    for ((i = 0; i < 150; i++)); do
      gov_proc_alive "$test_pid" || break
      sleep 0.1
    done
    if gov_proc_alive "$test_pid"; then
      echo "error: the test command ignored SIG$sig for 15 s; killing it" >&2
      kill -s KILL -- "$target" 2>/dev/null || true
    fi
  fi
  wait "$test_pid" 2>/dev/null || true
  # Leftovers of an aborted run (testhost, chromium, build servers) in the test process group.
  if [[ "$target" == -* ]]; then
    kill -s KILL -- "$target" 2>/dev/null || true
  fi
  test_pid=""
}

stop_tail() {
  if [[ -n "$tail_pid" ]]; then
    kill "$tail_pid" 2>/dev/null || true
    wait "$tail_pid" 2>/dev/null || true
    tail_pid=""
  fi
}

publish_log() {
  if [[ -n "$log_file" && -f "$log_file" ]]; then
    mv -f -- "$log_file" "$results_dir/test-run.log" 2>/dev/null || true
    log_file="$results_dir/test-run.log"
  fi
}

cleanup() {
  local rc=$?
  set +e
  trap '' INT TERM HUP
  stop_tests TERM
  stop_tail
  publish_log
  if [[ -n "$GOV_PG_TMP" ]]; then
    say "stopping PostgreSQL and removing $GOV_PG_TMP"
    gov_pg_stop
  fi
  exit "$rc"
}

on_signal() {
  local sig="$1" code="$2"
  trap '' INT TERM HUP
  printf '\nerror: interrupted by SIG%s; stopping the tests\n' "$sig" >&2
  stop_tests "$sig"
  exit "$code" # -> cleanup (EXIT trap)
}

trap cleanup EXIT
trap 'on_signal INT 130' INT
trap 'on_signal TERM 143' TERM
trap 'on_signal HUP 129' HUP

# ---------------------------------------------------------------------------
# Prerequisites
# ---------------------------------------------------------------------------

# Path of an executable on PATH. (command -v alone also reports a non-executable
# file when nothing better is found.)
find_exe() {
  local path
  path="$(command -v "$1" 2>/dev/null)" || return 1
  [[ -f "$path" && -x "$path" ]] || return 1
  printf '%s\n' "$path"
}

find_chromium() {
  if [[ -n "${GOVERNANCE_TEST_CHROMIUM:-}" ]]; then
    [[ -f "$GOVERNANCE_TEST_CHROMIUM" && -x "$GOVERNANCE_TEST_CHROMIUM" ]] || return 1
    printf '%s\n' "$GOVERNANCE_TEST_CHROMIUM"
    return 0
  fi
  find_exe chromium || find_exe chromium-browser || {
    [[ -f /usr/bin/chromium && -x /usr/bin/chromium ]] && printf '%s\n' /usr/bin/chromium
  }
}

find_pdftoppm() {
  find_exe pdftoppm
}

chromium_path=""
pg_bindir=""
pdftoppm_path=""
node_path=""
npm_path=""

detect_prerequisites() {
  chromium_path="$(find_chromium || true)"
  pg_bindir="$(gov_pg_find_bindir)"
  pdftoppm_path="$(find_pdftoppm || true)"
  node_path="$(find_exe node || true)"
  npm_path="$(find_exe npm || true)"
  missing_packages=()
  [[ -n "$chromium_path" ]] || missing_packages+=(chromium)
  [[ -n "$pg_bindir" ]] || missing_packages+=(postgresql)
  [[ -n "$pdftoppm_path" ]] || missing_packages+=(poppler-utils)
  [[ -n "$node_path" ]] || missing_packages+=(nodejs)
  [[ -n "$npm_path" ]] || missing_packages+=(npm)
  # The PDF reports print in DejaVu Sans (Latin, Hebrew, Arabic, Greek, Cyrillic), which Chromium embeds.
  [[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]] || missing_packages+=(fonts-dejavu-core)
}

install_packages() {
  local pkgs=("$@")
  local hint="install them yourself: sudo apt-get update && sudo apt-get install -y ${pkgs[*]}"
  if ! command -v apt-get >/dev/null 2>&1; then
    die "missing prerequisites (Debian package names: ${pkgs[*]}); apt-get is not available to install them" \
      "install the equivalent packages for your system: chromium (or set GOVERNANCE_TEST_CHROMIUM)," \
      "the PostgreSQL server (initdb, pg_ctl, postgres), poppler-utils (pdftoppm) and Node.js with npm"
  fi
  local as_root=()
  if [[ "$(id -u)" != 0 ]]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      as_root=(sudo -n)
    else
      die "missing prerequisites: ${pkgs[*]} (not root, and sudo is unavailable or needs a password;" \
        "this script never prompts)" "$hint"
    fi
  fi
  say "installing missing packages: ${pkgs[*]}"
  if ! "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 update </dev/null; then
    die "apt-get update failed; cannot install: ${pkgs[*]}" "$hint"
  fi
  if ! "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y "${pkgs[@]}" </dev/null; then
    die "apt-get install failed for: ${pkgs[*]}" "$hint"
  fi
}

if [[ -n "${GOVERNANCE_TEST_COMMAND:-}" ]]; then
  test_cmd=(bash -c "$GOVERNANCE_TEST_COMMAND" governance-test "$@")
else
  if ! find_exe dotnet >/dev/null; then
    die "the .NET SDK is not installed (no 'dotnet' on PATH)" \
      "install the .NET SDK version pinned in global.json (see https://learn.microsoft.com/dotnet/core/install/linux-debian)"
  fi
  test_cmd=(dotnet test GovernancePortal.sln
    --logger "console;verbosity=normal"
    --results-directory "$results_dir"
    "$@")
fi

if [[ -n "${GOVERNANCE_TEST_CHROMIUM:-}" && ! ( -f "$GOVERNANCE_TEST_CHROMIUM" && -x "$GOVERNANCE_TEST_CHROMIUM" ) ]]; then
  die "GOVERNANCE_TEST_CHROMIUM=$GOVERNANCE_TEST_CHROMIUM is not an executable file" \
    "unset it to use chromium from PATH or /usr/bin/chromium (installed with apt-get if missing)"
fi

detect_prerequisites
if ((${#missing_packages[@]} > 0)); then
  install_packages "${missing_packages[@]}"
  detect_prerequisites
  if ((${#missing_packages[@]} > 0)); then
    die "still missing after apt-get install: ${missing_packages[*]}" \
      "expected: chromium on PATH or /usr/bin/chromium, /usr/lib/postgresql/<major>/bin/{initdb,pg_ctl,postgres}, pdftoppm, node and npm on PATH"
  fi
fi

say "chromium:   $chromium_path"
say "pdftoppm:   $pdftoppm_path"
say "postgresql: $pg_bindir"
say "node:       $node_path ($("$node_path" --version))"

# ---------------------------------------------------------------------------
# Test OIDC provider (stands in for Entra ID)
# ---------------------------------------------------------------------------

say "installing the test OIDC provider's packages (npm ci in tests/oidc-provider)"
if ! (cd "$repo_root/tests/oidc-provider" && "$npm_path" ci --no-audit --no-fund --loglevel=error </dev/null); then
  die "npm ci failed in tests/oidc-provider" \
    "the npm registry must be reachable (or its cache filled); run it yourself: (cd tests/oidc-provider && npm ci)"
fi

say "installing axe-core for the accessibility checks (npm ci in tests/accessibility)"
if ! (cd "$repo_root/tests/accessibility" && "$npm_path" ci --no-audit --no-fund --loglevel=error </dev/null); then
  die "npm ci failed in tests/accessibility" \
    "the npm registry must be reachable (or its cache filled); run it yourself: (cd tests/accessibility && npm ci)"
fi

# ---------------------------------------------------------------------------
# PostgreSQL
# ---------------------------------------------------------------------------

gov_pg_start "$pg_bindir" || die "could not start the throwaway PostgreSQL cluster (see above)"
say "PostgreSQL $("$pg_bindir/postgres" --version | awk '{print $3}') ready on 127.0.0.1:$GOV_PG_PORT in ${GOV_PG_STARTUP_MS} ms (data: $GOV_PG_TMP/data)"

export GOVERNANCE_TEST_POSTGRES="Host=127.0.0.1;Port=$GOV_PG_PORT;Username=postgres;Database=postgres;Pooling=true;Include Error Detail=true"
export GOVERNANCE_TEST_POSTGRES_URI="postgresql://postgres@127.0.0.1:$GOV_PG_PORT/postgres"
export GOVERNANCE_TEST_CHROMIUM="$chromium_path"
export GOVERNANCE_TEST_PDFTOPPM="$pdftoppm_path"

# ---------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------

mkdir -p "$results_dir"
# Per-run file while running (concurrent runs must not share one), published as
# artifacts/test-results/test-run.log when the run ends (also when interrupted).
log_file="$results_dir/test-run.$$.log"
: >"$log_file"

say "running:$(printf " %q" "${test_cmd[@]}")"
# Own session/process group, so a signal can take down the whole tree (testhost, chromium)
# and a terminal Ctrl-C reaches it only through on_signal. Output goes to the log file and
# is followed by tail, so processes that outlive the command (build servers) cannot hold
# up the script the way they can hold a pipe open.
# A background job of a non-interactive shell starts with SIGINT/SIGQUIT ignored, and .NET
# keeps ignoring them; env --default-signal (coreutils >= 8.31) restores them so Ctrl-C
# can be forwarded. Without it, SIGTERM is forwarded instead.
launcher=(setsid)
if env --default-signal=INT,QUIT true 2>/dev/null; then
  launcher+=(env "--default-signal=INT,QUIT")
  forward_int=1
fi
"${launcher[@]}" "${test_cmd[@]}" </dev/null >"$log_file" 2>&1 &
test_pid=$!
tail -n +1 -f --pid="$test_pid" "$log_file" &
tail_pid=$!

rc=0
wait "$test_pid" || rc=$?
test_pid=""
wait "$tail_pid" 2>/dev/null || true
tail_pid=""

say "stopping PostgreSQL and removing $GOV_PG_TMP"
gov_pg_stop

# ---------------------------------------------------------------------------
# Summary: sum the console logger's per-assembly totals.
#   verbosity=normal/detailed:  "Total tests: 12" / "     Passed: 11" / "     Failed: 1" / "    Skipped: 0"
#                               ("Total tests: Unknown" when a run was aborted)
#   verbosity=minimal/quiet:    "Passed!  - Failed:     0, Passed:    12, Skipped:     0, Total:    12, ..."
# ---------------------------------------------------------------------------

summary="$(sed -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\r$//' "$log_file" | awk '
  { line = $0; sub(/^[ \t]*[0-9]+>/, "", line) }
  line ~ /Total tests: / { inblock = 1; blocks++; next }
  inblock {
    if (line ~ /^[ \t]*Passed:[ \t]*[0-9]+[ \t]*$/)  { n = line; gsub(/[^0-9]/, "", n); bp += n; next }
    if (line ~ /^[ \t]*Failed:[ \t]*[0-9]+[ \t]*$/)  { n = line; gsub(/[^0-9]/, "", n); bf += n; next }
    if (line ~ /^[ \t]*Skipped:[ \t]*[0-9]+[ \t]*$/) { n = line; gsub(/[^0-9]/, "", n); bs += n; next }
    inblock = 0
  }
  line ~ /(Passed|Failed|Skipped)![ \t]*-[ \t]*Failed:[ \t]*[0-9]+,[ \t]*Passed:[ \t]*[0-9]+,[ \t]*Skipped:[ \t]*[0-9]+/ {
    s = line; sub(/.*Failed:[ \t]*/, "", s); mf += s + 0
    s = line; sub(/.*Passed:[ \t]*/, "", s); mp += s + 0
    s = line; sub(/.*Skipped:[ \t]*/, "", s); ms += s + 0
    minimal++
  }
  END {
    if (blocks > 0)       printf "%d %d %d\n", bp, bf, bs
    else if (minimal > 0) printf "%d %d %d\n", mp, mf, ms
    else                  print "none"
  }')"

publish_log
echo
say "full output: ${log_file#"$repo_root"/}"
if [[ "$summary" == none ]]; then
  echo "note: no test results found in the output (exit code $rc; did the build fail?)" >&2
  summary="0 0 0"
fi
read -r passed failed skipped <<<"$summary"
# CI shows only the end of the output: repeat each failure's name and the start of its message here.
if ((failed > 0)); then
  echo "failed tests:"
  sed -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\r$//' "$log_file" | awk '
    /^[ \t]*Failed [A-Za-z_]/ { print "  " $0; grab = 0; next }
    /^[ \t]*Error Message:/ { grab = 4; next }
    /^[ \t]*Stack Trace:/ { grab = 0; next }
    grab > 0 { print "      " $0; grab--; next }'
fi
if ((skipped > 0)); then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
exit "$rc"
