#!/usr/bin/env bash
# Benchmarks of the audit trail: appends per second (audited vs unaudited, 1 and 8 writers, SQLite and PostgreSQL)
# and verification of 1,000,000 events against a plain SHA-256 yardstick. See bench/README.md.
#
#   bench/run.sh [--record] [benchmark options...]     e.g. bench/run.sh --quick, bench/run.sh --record
#   bench/run.sh --scenario circuits [...]             Blazor circuits' memory and time to the first catalogue page
#                                                       (runs bench/circuits/run.sh with the other arguments)
#
# - Starts a throwaway PostgreSQL cluster on 127.0.0.1 exactly as scripts/test.sh does (scripts/lib/postgres.sh),
#   installing the Debian package postgresql only if no server is installed (as test.sh would), and stops and
#   removes it on every exit path.
# - Builds the benchmark in Release and runs it with GOVERNANCE_BENCH_POSTGRES set; it only talks to that
#   loopback server and to temp SQLite files.
# - Prints the machine, the load average before and after, and the results as Markdown.
# - --record also rewrites the results section of bench/README.md (between the bench:results markers).
# - Bounded: the benchmark is killed after GOVERNANCE_BENCH_TIMEOUT seconds (default 2400).
# shellcheck disable=SC2317 # functions below are invoked from traps
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"
# shellcheck source=scripts/lib/postgres.sh
source "$repo_root/scripts/lib/postgres.sh"

export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

say() { printf '==> %s\n' "$*" >&2; }
die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

# The circuits bench (Blazor circuits' memory, time to the first catalogue page) has a script of its own.
if [[ " $* " == *" --scenario circuits "* || " $* " == *" --scenario=circuits "* ]]; then
  rest=()
  previous=""
  for arg in "$@"; do
    if [[ "$arg" != --scenario && "$arg" != --scenario=circuits && ! ("$arg" == circuits && "$previous" == --scenario) ]]; then
      rest+=("$arg")
    fi
    previous="$arg"
  done
  exec "$repo_root/bench/circuits/run.sh" "${rest[@]}"
fi

record=0
bench_args=()
for arg in "$@"; do
  case "$arg" in
    --record) record=1 ;;
    *) bench_args+=("$arg") ;;
  esac
done

work=""
cleanup() {
  local rc=$?
  set +e
  trap '' INT TERM HUP
  if [[ -n "$GOV_PG_TMP" ]]; then
    say "stopping PostgreSQL and removing $GOV_PG_TMP"
    gov_pg_stop
  fi
  [[ -n "$work" ]] && rm -rf -- "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

command -v dotnet >/dev/null 2>&1 || die "the .NET SDK is not installed (no 'dotnet' on PATH)"

pg_bindir="$(gov_pg_find_bindir)"
if [[ -z "$pg_bindir" ]]; then
  command -v apt-get >/dev/null 2>&1 || die "no PostgreSQL server (initdb, pg_ctl, postgres) and no apt-get to install it"
  as_root=()
  if [[ "$(id -u)" != 0 ]]; then
    sudo -n true 2>/dev/null || die "no PostgreSQL server installed; install it: sudo apt-get install -y postgresql"
    as_root=(sudo -n)
  fi
  say "installing missing package: postgresql"
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 update </dev/null
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y postgresql </dev/null
  pg_bindir="$(gov_pg_find_bindir)"
  [[ -n "$pg_bindir" ]] || die "still no PostgreSQL server after apt-get install postgresql"
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/governance-bench.XXXXXX")"

say "building the benchmark (Release)"
dotnet build bench/GovernancePortal.Benchmarks/GovernancePortal.Benchmarks.csproj -c Release -nologo -v quiet </dev/null >"$work/build.log" 2>&1 ||
  { cat "$work/build.log" >&2; die "build failed"; }

gov_pg_start "$pg_bindir" || die "could not start the throwaway PostgreSQL cluster (see above)"
pg_version="$("$pg_bindir/postgres" --version | awk '{print $3}')"
say "PostgreSQL $pg_version ready on 127.0.0.1:$GOV_PG_PORT in ${GOV_PG_STARTUP_MS} ms"
export GOVERNANCE_BENCH_POSTGRES="Host=127.0.0.1;Port=$GOV_PG_PORT;Username=postgres;Database=postgres;Pooling=true;Maximum Pool Size=50"

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
started="$(date -u '+%Y-%m-%d %H:%M UTC')"
say "load average before: $load_before; running the benchmark"
t0=$(date +%s)
timeout --kill-after=30 "${GOVERNANCE_BENCH_TIMEOUT:-2400}" \
  dotnet "bench/GovernancePortal.Benchmarks/bin/Release/net10.0/GovernancePortal.Benchmarks.dll" \
  --work "$work" --results "$work/results.md" "${bench_args[@]}" </dev/null >"$work/stdout.md" ||
  die "the benchmark failed or timed out (exit $?)"
elapsed=$(($(date +%s) - t0))
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

cpu="$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
mem="$(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
os="$( (. /etc/os-release && printf '%s' "$PRETTY_NAME") 2>/dev/null || uname -s)"
fs="$(df -PT "$work" | awk 'NR == 2 {print $2 " on " $1}')"
{
  echo "#### Machine"
  echo
  echo "| | |"
  echo "| --- | --- |"
  echo "| Date | $started (took ${elapsed} s) |"
  echo "| CPU | $(nproc) logical processors: ${cpu:-unknown} |"
  echo "| Memory | $mem |"
  echo "| OS | $os, kernel $(uname -r) |"
  echo "| .NET SDK | $(dotnet --version) |"
  echo "| PostgreSQL | $pg_version, throwaway cluster as in scripts/test.sh (fsync=off, synchronous_commit=off, full_page_writes=off) on 127.0.0.1 |"
  echo "| SQLite files | $fs (WAL, synchronous=FULL by default) |"
  echo "| Load average (1, 5, 15 min) | before $load_before; after $load_after |"
  echo "| Command | \`bench/run.sh${*:+ $*}\` at $(git rev-parse --short HEAD 2>/dev/null || echo '?') |"
  echo
  sed 's/^### /#### /' "$work/results.md"
} >"$work/section.md"

cat "$work/section.md"

if ((record)); then
  readme="$repo_root/bench/README.md"
  if ! grep -q '^<!-- bench:results:start -->$' "$readme" || ! grep -q '^<!-- bench:results:end -->$' "$readme"; then
    die "bench/README.md has no <!-- bench:results:start --> / <!-- bench:results:end --> markers"
  fi
  awk -v section="$work/section.md" '
    /^<!-- bench:results:start -->$/ { print; print ""; while ((getline line < section) > 0) print line; print ""; skip = 1; next }
    /^<!-- bench:results:end -->$/ { skip = 0 }
    !skip { print }
  ' "$readme" >"$work/README.md"
  mv -f "$work/README.md" "$readme"
  say "recorded in bench/README.md"
fi
