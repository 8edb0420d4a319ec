#!/usr/bin/env bash
# Circuits benchmark (issue 13, item 8): server memory per Blazor circuit (N signed-in Chromium contexts each holding a
# circuit on /models, RSS after a full GC at N = 0, 50, 200) and the time from navigation to the first grid page at
# 10,000 models x 10 versions. See the "Circuits" section of bench/README.md.
#
#   bench/circuits/run.sh [--record] [--providers sqlite,postgresql] [CircuitBench options...]
#   bench/run.sh --scenario circuits [...]           the same
#
#   --record      also append the machine, the load averages and the tables to bench/results/circuits.md
#   --providers   which databases (default: sqlite)
#   CircuitBench options: --circuits 0,50,200 --navigations 100 --warmup 10 --parallel 2 --min-available-mib 3072
#                 --query-repetitions 50 --skip-memory --skip-timing (see bench/circuits/CircuitBench/BenchOptions.cs)
# Knobs (environment): BENCH_MODELS (10000), BENCH_VERSIONS (10), GOVERNANCE_TEST_CHROMIUM (/usr/bin/chromium).
# Everything listens on 127.0.0.1 only; the portal (and the PostgreSQL cluster) are stopped by pid on exit.
# Logs: artifacts/bench/circuits/<UTC timestamp>/.
# shellcheck disable=SC2317 # cleanup functions are invoked from traps
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo_root"
# shellcheck source=scripts/lib/postgres.sh
source "$repo_root/scripts/lib/postgres.sh"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

models="${BENCH_MODELS:-10000}"
versions="${BENCH_VERSIONS:-10}"
record=0
providers="sqlite"
bench_args=()
while (($# > 0)); do
  case "$1" in
    --record) record=1 ;;
    --providers) providers="${2:?--providers needs a list}"; shift ;;
    --providers=*) providers="${1#*=}" ;;
    -h | --help) sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) bench_args+=("$1") ;;
  esac
  shift
done
IFS=', ' read -r -a provider_list <<<"$providers"
for p in "${provider_list[@]}"; do
  [[ "$p" == sqlite || "$p" == postgresql ]] || { echo "error: unknown provider '$p' (sqlite, postgresql)" >&2; exit 2; }
done

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

chromium="${GOVERNANCE_TEST_CHROMIUM:-/usr/bin/chromium}"
[[ -x "$chromium" ]] || die "Chromium is not at $chromium (apt-get install chromium, or set GOVERNANCE_TEST_CHROMIUM)"
command -v dotnet >/dev/null 2>&1 || die "the .NET SDK is not on PATH"
command -v curl >/dev/null 2>&1 || die "curl is not installed"
if [[ " ${provider_list[*]} " == *" postgresql "* && -z "$(gov_pg_find_bindir)" ]]; then
  die "no PostgreSQL server installed (apt-get install postgresql)"
fi

stamp="$(date -u +%Y%m%dT%H%M%SZ)"
out_dir="$repo_root/artifacts/bench/circuits/$stamp"
mkdir -p "$out_dir"
work_dir="$(mktemp -d /tmp/circuits-bench.XXXXXX)"
web_dll="$repo_root/src/GovernancePortal.Web/bin/Release/net10.0/GovernancePortal.Web.dll"
seeder_dll="$repo_root/bench/catalogue/CatalogueSeeder/bin/Release/net10.0/CatalogueSeeder.dll"
bench_dll="$repo_root/bench/circuits/CircuitBench/bin/Release/net10.0/CircuitBench.dll"
portal_pid=""

stop_portal() {
  local i
  [[ -n "$portal_pid" ]] || return 0
  if gov_proc_alive "$portal_pid"; then
    kill -TERM "$portal_pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
      gov_proc_alive "$portal_pid" || break
      sleep 0.1
    done
    if gov_proc_alive "$portal_pid"; then kill -KILL "$portal_pid" 2>/dev/null || true; fi
  fi
  wait "$portal_pid" 2>/dev/null || true
  portal_pid=""
}

cleanup() {
  local rc=$?
  set +e
  trap '' INT TERM HUP
  stop_portal
  gov_pg_stop
  rm -rf -- "$work_dir"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

say "building Release (the portal, the catalogue seeder, the circuits bench)"
for project in bench/catalogue/CatalogueSeeder bench/circuits/CircuitBench; do
  dotnet build "$project" -c Release -nologo -v q -clp:ErrorsOnly >"$out_dir/build.log" 2>&1 ||
    { cat "$out_dir/build.log" >&2; die "build of $project failed"; }
done

wait_http() { # url, seconds, pid
  local url="$1" deadline=$((SECONDS + $2)) pid="$3"
  until [[ "$(curl -s -o /dev/null -w '%{http_code}' "$url" 2>/dev/null)" == 200 ]]; do
    gov_proc_alive "$pid" || return 1
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}

load_start="$(cut -d' ' -f1-3 /proc/loadavg)"
run_started="$(date +%s)"
sections=()

run_provider() {
  local provider="$1" db_provider connection pg_version=""
  say "[$provider] seeding $models models x $versions versions"
  if [[ "$provider" == postgresql ]]; then
    gov_pg_start "$(gov_pg_find_bindir)" || die "could not start the throwaway PostgreSQL cluster"
    pg_version=" $("$GOV_PG_BIN/postgres" --version | awk '{ print $3 }')"
    "$GOV_PG_BIN/psql" -q -h 127.0.0.1 -p "$GOV_PG_PORT" -U postgres -d postgres -c 'CREATE DATABASE circuits' >/dev/null
    db_provider=PostgreSql
    connection="Host=127.0.0.1;Port=$GOV_PG_PORT;Username=postgres;Database=circuits"
  else
    db_provider=Sqlite
    connection="Data Source=$work_dir/circuits.db"
  fi

  # The portal's own configuration keys, for the seeder, the server and the bench's in-process query timing alike.
  # Sign-in is limited to 20 per address per minute (RateLimits:SignIn); every context signs in from 127.0.0.1, so the
  # bench raises that one limit. Nothing else is changed from the portal's defaults.
  local settings=(
    ASPNETCORE_ENVIRONMENT=Development
    "Database__Provider=$db_provider"
    "ConnectionStrings__Governance=$connection"
    Database__MigrateOnStartup=false
    Demo__SeedOnStartup=false
    Scheduling__Enabled=false
    RateLimits__SignIn__PermitLimit=100000
    Logging__LogLevel__Default=Warning
    Logging__LogLevel__Microsoft.AspNetCore.HttpLogging.HttpLoggingMiddleware=Warning
    Logging__LogLevel__Microsoft.EntityFrameworkCore=Warning
  )
  env "${settings[@]}" dotnet "$seeder_dll" --models "$models" --versions "$versions" >"$out_dir/$provider-seed.log" 2>&1 ||
    { cat "$out_dir/$provider-seed.log" >&2; die "seeding failed"; }
  local seeded
  seeded="$(tail -n 1 "$out_dir/$provider-seed.log")"
  say "[$provider] $seeded"

  local port base
  port="$(gov_pg_free_port)" || die "no free port on 127.0.0.1"
  base="http://127.0.0.1:$port"
  say "[$provider] starting the portal (Release, Development environment) on $base"
  env "${settings[@]}" dotnet "$web_dll" --urls "$base" --contentRoot "$repo_root/src/GovernancePortal.Web" \
    >"$out_dir/$provider-portal.log" 2>&1 </dev/null &
  portal_pid=$!
  wait_http "$base/health/live" 120 "$portal_pid" || { cat "$out_dir/$provider-portal.log" >&2; die "the portal did not start"; }

  say "[$provider] running the bench (load $(cut -d' ' -f1-3 /proc/loadavg))"
  local section="$out_dir/$provider-results.md"
  env "${settings[@]}" Logging__LogLevel__Default=Warning dotnet "$bench_dll" --base-url "$base" --server-pid "$portal_pid" \
    --chromium "$chromium" --results "$section" "${bench_args[@]}" </dev/null >"$out_dir/$provider-bench.log" 2> >(tee "$out_dir/$provider-bench.err" >&2) ||
    { cat "$out_dir/$provider-bench.log" >&2; die "the bench failed (see $out_dir)"; }
  # The portal must have logged no error while it served.
  if grep -E '^(fail|crit):' "$out_dir/$provider-portal.log" >/dev/null; then
    grep -E -A3 '^(fail|crit):' "$out_dir/$provider-portal.log" | head -n 40 >&2
    die "the portal logged errors during the run (see $out_dir/$provider-portal.log)"
  fi
  stop_portal
  if [[ "$provider" == postgresql ]]; then
    gov_pg_stop
  fi
  sections+=("### $db_provider$pg_version" "" "Data: $seeded" "" "$(cat "$section")" "")
}

for provider in "${provider_list[@]}"; do
  run_provider "$provider"
done
load_end="$(cut -d' ' -f1-3 /proc/loadavg)"

cpu_model="$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
mem_total="$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
# shellcheck disable=SC1091
os_name="$( (. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME") || uname -s)"
report="$out_dir/results.md"
{
  echo "## Circuits run of $(date -u -d "@$run_started" '+%Y-%m-%d %H:%M') to $(date -u '+%H:%M UTC') (\`bench/circuits/run.sh${bench_args[*]:+ ${bench_args[*]}}\`, commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown))"
  echo
  echo "| Machine | |"
  echo "| --- | --- |"
  echo "| CPU | $(nproc) cores, ${cpu_model:-unknown} |"
  echo "| Memory | $mem_total |"
  echo "| OS | $os_name, Linux $(uname -r) |"
  echo "| .NET SDK / runtime | $(dotnet --version) / $(dotnet --list-runtimes | awk '/Microsoft.AspNetCore.App/ { v = $2 } END { print "ASP.NET Core " v }'), server GC |"
  echo "| Browser | $("$chromium" --version 2>/dev/null | head -n 1) |"
  echo "| Load average (1, 5, 15 min) | before $load_start; after $load_end |"
  echo
  printf '%s\n' "${sections[@]}"
} >"$report"

cat "$report"
say "logs: ${out_dir#"$repo_root"/}"
if ((record)); then
  mkdir -p bench/results
  { echo; cat "$report"; } >>bench/results/circuits.md
  say "appended to bench/results/circuits.md"
fi
