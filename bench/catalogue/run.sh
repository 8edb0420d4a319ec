#!/usr/bin/env bash
# Catalogue benchmark: seeds 10,000 models x 10 versions and measures the catalogue page, a search, and the API list
# with wrk, against Kestrel's plaintext response measured in the same run. See bench/catalogue/README.md.
#
#   bench/catalogue/run.sh [--record] [--providers sqlite,postgresql]
#
#   --record      rewrite the results section of bench/catalogue/README.md with this run's table and machine
#   --providers   which databases to run (default: sqlite,postgresql)
#
# Knobs (environment): BENCH_DURATION (20s), BENCH_WARMUP (5s), BENCH_THREADS (2), BENCH_CONNECTIONS (16),
# BENCH_SINGLE (10s: a single-connection run per endpoint for the unloaded latency; 0 skips it),
# BENCH_MODELS (10000), BENCH_VERSIONS (10). Everything listens on 127.0.0.1 only and is stopped on exit.
# Raw wrk output and logs: artifacts/bench/catalogue/<UTC timestamp>/.
# shellcheck disable=SC2317 # cleanup functions are invoked from traps
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo_root"
# shellcheck source=scripts/lib/postgres.sh
source "$repo_root/scripts/lib/postgres.sh"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

duration="${BENCH_DURATION:-20s}"
warmup="${BENCH_WARMUP:-5s}"
threads="${BENCH_THREADS:-2}"
connections="${BENCH_CONNECTIONS:-16}"
single="${BENCH_SINGLE:-10s}"
models="${BENCH_MODELS:-10000}"
versions="${BENCH_VERSIONS:-10}"
record=0
providers="sqlite,postgresql"

while (($# > 0)); do
  case "$1" in
    --record) record=1 ;;
    --providers) providers="${2:?--providers needs a list}"; shift ;;
    --providers=*) providers="${1#*=}" ;;
    -h | --help) sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "error: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
  shift
done
IFS=', ' read -r -a provider_list <<<"$providers"
for p in "${provider_list[@]}"; do
  [[ "$p" == sqlite || "$p" == postgresql ]] || { echo "error: unknown provider '$p' (sqlite, postgresql)" >&2; exit 2; }
done

say() { printf '==> %s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

stamp="$(date -u +%Y%m%dT%H%M%SZ)"
out_dir="$repo_root/artifacts/bench/catalogue/$stamp"
mkdir -p "$out_dir"
work_dir="$(mktemp -d /tmp/catalogue-bench.XXXXXX)"

web_dll="$repo_root/src/GovernancePortal.Web/bin/Release/net10.0/GovernancePortal.Web.dll"
seeder_dll="$repo_root/bench/catalogue/CatalogueSeeder/bin/Release/net10.0/CatalogueSeeder.dll"
plaintext_dll="$repo_root/bench/catalogue/Plaintext/bin/Release/net10.0/Plaintext.dll"

portal_pid=""
plaintext_pid=""

# ---------------------------------------------------------------------------------------------------------------------
# Cleanup: every process this script started, by its pid; the throwaway cluster; the temp dir.
# ---------------------------------------------------------------------------------------------------------------------
stop_pid() {
  local pid="$1" i
  [[ -n "$pid" ]] || return 0
  if gov_proc_alive "$pid"; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
      gov_proc_alive "$pid" || break
      sleep 0.1
    done
    if gov_proc_alive "$pid"; then kill -KILL "$pid" 2>/dev/null || true; fi
  fi
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local rc=$?
  set +e
  trap '' INT TERM HUP
  stop_pid "$portal_pid"
  portal_pid=""
  stop_pid "$plaintext_pid"
  plaintext_pid=""
  gov_pg_stop
  rm -rf -- "$work_dir"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# ---------------------------------------------------------------------------------------------------------------------
# Prerequisites: wrk and curl (and the PostgreSQL server when asked for) from Debian's packages.
# ---------------------------------------------------------------------------------------------------------------------
missing=()
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
command -v curl >/dev/null 2>&1 || missing+=(curl)
if [[ " ${provider_list[*]} " == *" postgresql "* && -z "$(gov_pg_find_bindir)" ]]; then
  missing+=(postgresql)
fi
if ((${#missing[@]} > 0)); then
  command -v apt-get >/dev/null 2>&1 || die "missing ${missing[*]} and no apt-get to install them"
  as_root=()
  if [[ "$(id -u)" != 0 ]]; then
    sudo -n true 2>/dev/null || die "missing ${missing[*]}; install them: sudo apt-get install -y ${missing[*]}"
    as_root=(sudo -n)
  fi
  say "installing ${missing[*]}"
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 update -q </dev/null >/dev/null
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -q "${missing[@]}" </dev/null >/dev/null
fi
command -v dotnet >/dev/null 2>&1 || die "the .NET SDK is not on PATH"

# ---------------------------------------------------------------------------------------------------------------------
# Build (Release): the portal (through the seeder's project reference), the seeder, the plaintext yardstick.
# ---------------------------------------------------------------------------------------------------------------------
say "building Release"
for project in bench/catalogue/CatalogueSeeder bench/catalogue/Plaintext; do
  dotnet build "$project" -c Release -nologo -v q -clp:ErrorsOnly >"$out_dir/build.log" 2>&1 ||
    { cat "$out_dir/build.log" >&2; die "build of $project failed"; }
done

free_port() { gov_pg_free_port || die "no free port on 127.0.0.1"; }

wait_http() { # url, seconds, pid
  local url="$1" deadline=$((SECONDS + $2)) pid="$3"
  until [[ "$(curl -s -o /dev/null -w '%{http_code}' "$url" 2>/dev/null)" == 200 ]]; do
    gov_proc_alive "$pid" || return 1
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}

# ---------------------------------------------------------------------------------------------------------------------
# wrk: warm up, measure, and turn the output into one table row.
# ---------------------------------------------------------------------------------------------------------------------
# Latency as wrk prints it (123.45us, 1.23ms, 1.02s, 1.50m) -> milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN {
    n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
    if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
    printf "%.2f", n }'
}

fmt_ms() { # ms with sensible precision
  awk -v v="$1" 'BEGIN { if (v < 1) printf "%.2f ms", v; else if (v < 10) printf "%.1f ms", v; else printf "%.0f ms", v }'
}

rows=()          # markdown rows of this run
clk_tck="$(getconf CLK_TCK 2>/dev/null || echo 100)"

# CPU time (clock ticks, user + system, with reaped children) of the processes that serve a request: the plaintext app,
# or the portal plus, for PostgreSQL, the postmaster and its backends. Divided by the requests served, it is a cost
# that other work on a shared machine disturbs much less than requests/s.
proc_ticks() {
  local stat rest
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || { echo 0; return; }
  rest="${stat##*) }"
  awk '{ print $12 + $13 + $14 + $15 }' <<<"$rest"
}

server_ticks() { # name
  local total=0 pid postmaster stat rest
  if [[ "$1" == plaintext ]]; then
    proc_ticks "$plaintext_pid"
    return
  fi
  total=$(proc_ticks "$portal_pid")
  postmaster="$(gov_pg_postmaster_pid)"
  if [[ -n "$postmaster" ]]; then
    total=$((total + $(proc_ticks "$postmaster")))
    for stat in /proc/[0-9]*/stat; do
      rest="$(cat "$stat" 2>/dev/null)" || continue
      rest="${rest##*) }"
      pid="${stat#/proc/}"
      pid="${pid%/stat}"
      if [[ "$(awk '{ print $2 }' <<<"$rest")" == "$postmaster" ]]; then
        total=$((total + $(proc_ticks "$pid")))
      fi
    done
  fi
  echo "$total"
}
plaintext_rps="" # the yardstick of the provider pass in progress

measure() { # provider label name url [header]
  local provider="$1" label="$2" name="$3" url="$4" header="${5:-}" args=() file
  if [[ -n "$header" ]]; then args=(-H "$header"); fi
  file="$out_dir/$provider-$name.wrk.txt"
  say "  $label: warm-up $warmup"
  wrk -t"$threads" -c"$connections" -d"$warmup" "${args[@]}" "$url" >"$out_dir/$provider-$name.warmup.txt" 2>&1
  local load_before load_after ticks_before ticks_after
  load_before="$(cut -d' ' -f1 /proc/loadavg)"
  ticks_before="$(server_ticks "$name")"
  say "  $label: measuring $duration"
  wrk -t"$threads" -c"$connections" -d"$duration" --latency "${args[@]}" "$url" >"$file" 2>&1
  ticks_after="$(server_ticks "$name")"
  load_after="$(cut -d' ' -f1 /proc/loadavg)"
  local single_p50="–"
  if [[ "$single" != 0 ]]; then
    say "  $label: one connection for $single"
    wrk -t1 -c1 -d"$single" --latency "${args[@]}" "$url" >"$out_dir/$provider-$name.c1.wrk.txt" 2>&1
    single_p50="$(fmt_ms "$(to_ms "$(awk '$1 == "50%" { print $2 }' "$out_dir/$provider-$name.c1.wrk.txt")")")"
  fi
  local rps p50 p90 p99 requests non2xx socket_errors
  rps="$(awk '/^Requests\/sec:/ { print $2 }' "$file")"
  p50="$(to_ms "$(awk '$1 == "50%" { print $2 }' "$file")")"
  p90="$(to_ms "$(awk '$1 == "90%" { print $2 }' "$file")")"
  p99="$(to_ms "$(awk '$1 == "99%" { print $2 }' "$file")")"
  requests="$(awk '/requests in/ { print $1 }' "$file")"
  non2xx="$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$file")"
  socket_errors="$(awk -F'Socket errors: ' 'NF > 1 { print $2 }' "$file")"
  [[ -n "$rps" && -n "$requests" ]] || { cat "$file" >&2; die "could not read wrk's output for $label"; }
  local cpu_ms
  cpu_ms="$(awk -v t=$((ticks_after - ticks_before)) -v hz="$clk_tck" -v n="$requests" 'BEGIN {
    v = t / hz * 1000 / n; if (v < 0.1) printf "%.3f ms", v; else if (v < 10) printf "%.2f ms", v; else printf "%.1f ms", v }')"
  local relative errors="0"
  if [[ "$name" == plaintext ]]; then
    plaintext_rps="$rps"
    relative="1 (yardstick)"
  else
    relative="$(awk -v r="$rps" -v p="$plaintext_rps" 'BEGIN {
      f = r / p; printf (f >= 0.1 ? "%.2f (1/%.1f)" : (f >= 0.01 ? "%.3f (1/%.0f)" : "%.4f (1/%.0f)")), f, 1 / f }')"
  fi
  if [[ -n "$non2xx" ]]; then errors="$non2xx non-2xx"; fi
  if [[ -n "$socket_errors" ]]; then errors="$errors; socket errors: $socket_errors"; fi
  rows+=("| $provider | $label | $(printf '%.0f' "$rps") | $(fmt_ms "$p50") | $(fmt_ms "$p90") | $(fmt_ms "$p99") | $relative | $cpu_ms | $single_p50 | $requests | $errors | $load_before → $load_after |")
  printf '     %s req/s, p50 %s, p90 %s, p99 %s, errors: %s; server CPU %s per request; one connection: p50 %s\n' \
    "$rps" "$(fmt_ms "$p50")" "$(fmt_ms "$p90")" "$(fmt_ms "$p99")" "$errors" "$cpu_ms" "$single_p50"
}

expect() { # description, file, http code, expected code, grep pattern
  local description="$1" file="$2" code="$3" want="$4" pattern="$5"
  [[ "$code" == "$want" ]] || { head -c 2000 "$file" >&2; die "$description: HTTP $code, expected $want"; }
  grep -q -- "$pattern" "$file" || { head -c 2000 "$file" >&2; die "$description: response lacks '$pattern'"; }
}

# ---------------------------------------------------------------------------------------------------------------------
# The yardstick runs for the whole session; each provider pass measures it again next to its own endpoints.
# ---------------------------------------------------------------------------------------------------------------------
plaintext_port="$(free_port)"
say "starting the plaintext yardstick on 127.0.0.1:$plaintext_port"
ASPNETCORE_ENVIRONMENT=Production dotnet "$plaintext_dll" --urls "http://127.0.0.1:$plaintext_port" \
  >"$out_dir/plaintext.log" 2>&1 </dev/null &
plaintext_pid=$!
wait_http "http://127.0.0.1:$plaintext_port/plaintext" 60 "$plaintext_pid" ||
  { cat "$out_dir/plaintext.log" >&2; die "the plaintext app did not start"; }

load_start="$(cut -d' ' -f1-3 /proc/loadavg)"
run_started="$(date +%s)"
pg_version=""

run_provider() {
  local provider="$1" db_provider connection
  say "[$provider] seeding $models models x $versions versions"
  if [[ "$provider" == postgresql ]]; then
    gov_pg_start "$(gov_pg_find_bindir)" || die "could not start the throwaway PostgreSQL cluster"
    pg_version="$("$GOV_PG_BIN/postgres" --version | awk '{ print $3 }')"
    "$GOV_PG_BIN/psql" -q -h 127.0.0.1 -p "$GOV_PG_PORT" -U postgres -d postgres -c 'CREATE DATABASE catalogue' >/dev/null
    db_provider=PostgreSql
    connection="Host=127.0.0.1;Port=$GOV_PG_PORT;Username=postgres;Database=catalogue"
  else
    db_provider=Sqlite
    connection="Data Source=$work_dir/catalogue.db"
  fi

  # The portal's own configuration keys, for the seeder, the apikey command and the server alike.
  local settings=(
    ASPNETCORE_ENVIRONMENT=Development
    "Database__Provider=$db_provider"
    "ConnectionStrings__Governance=$connection"
    Database__MigrateOnStartup=false
    Demo__SeedOnStartup=false
    Scheduling__Enabled=false
    Logging__LogLevel__Default=Warning
    Logging__LogLevel__Microsoft.AspNetCore.HttpLogging.HttpLoggingMiddleware=Warning
    Logging__LogLevel__Microsoft.EntityFrameworkCore=Warning
  )
  env "${settings[@]}" dotnet "$seeder_dll" --models "$models" --versions "$versions" | tee "$out_dir/$provider-seed.log"
  seed_lines+=("$provider: $(tail -n 1 "$out_dir/$provider-seed.log")")

  local api_key
  api_key="$(env "${settings[@]}" dotnet "$web_dll" apikey create --user viewer@demo.test --name catalogue-bench 2>>"$out_dir/$provider-apikey.log")"
  [[ "$api_key" == gp_* ]] || die "apikey create did not print a key (see $out_dir/$provider-apikey.log)"

  local port base
  port="$(free_port)"
  base="http://127.0.0.1:$port"
  say "[$provider] starting the portal (Release, Development environment) on $base"
  env "${settings[@]}" dotnet "$web_dll" --urls "$base" --contentRoot "$repo_root/src/GovernancePortal.Web" \
    >"$out_dir/$provider-portal.log" 2>&1 </dev/null &
  portal_pid=$!
  wait_http "$base/health/live" 90 "$portal_pid" || { cat "$out_dir/$provider-portal.log" >&2; die "the portal did not start"; }

  # Development sign-in as viewer@demo.test: the sign-in page sets the antiforgery cookie and token; the form post
  # sets gp.auth.
  local jar="$work_dir/$provider.cookies" page="$work_dir/page.html" token code cookie
  curl -s -c "$jar" -o "$page" "$base/account/sign-in"
  token="$(grep -o '<input[^>]*name="__RequestVerificationToken"[^>]*>' "$page" | head -n 1 | grep -o 'value="[^"]*"' | sed 's/^value="//; s/"$//')"
  [[ -n "$token" ]] || die "no antiforgery token on /account/sign-in"
  code="$(curl -s -b "$jar" -c "$jar" -o /dev/null -w '%{http_code}' \
    --data-urlencode "__RequestVerificationToken=$token" --data-urlencode "username=viewer@demo.test" \
    --data-urlencode "returnUrl=/models" "$base/account/sign-in/persona")"
  [[ "$code" == 302 ]] || die "persona sign-in answered HTTP $code"
  cookie="$(awk -F'\t' '$6 == "gp.auth" { print $7 }' "$jar")"
  [[ -n "$cookie" ]] || die "no gp.auth cookie after sign-in"
  local cookie_header="Cookie: gp.auth=$cookie" key_header="X-Api-Key: $api_key"

  # Each endpoint must answer 200 with the expected content before it is measured (a redirect to sign-in would
  # count as a success in wrk).
  local body="$work_dir/body"
  code="$(curl -s -o "$body" -w '%{http_code}' -H "$cookie_header" "$base/models?page=37")"
  expect "catalogue page" "$body" "$code" 200 "Showing 721–740 of $models"
  code="$(curl -s -o "$body" -w '%{http_code}' -H "$cookie_header" "$base/models?q=fraud&risk=High")"
  expect "search" "$body" "$code" 200 "Showing 1–"
  search_total="$(grep -o 'Showing 1–[0-9]* of [0-9]*' "$body" | awk '{ print $NF }')"
  code="$(curl -s -o "$body" -w '%{http_code}' -H "$key_header" "$base/api/v1/models?page=37&pageSize=20")"
  expect "API list" "$body" "$code" 200 "\"total\":$models"
  code="$(curl -s -o "$body" -w '%{http_code}' "http://127.0.0.1:$plaintext_port/plaintext")"
  expect "plaintext" "$body" "$code" 200 "Hello, World!"

  say "[$provider] wrk -t$threads -c$connections -d$duration --latency (after a $warmup warm-up per endpoint)"
  measure "$provider" "plaintext (Kestrel yardstick)" plaintext "http://127.0.0.1:$plaintext_port/plaintext"
  measure "$provider" "GET /models?page=37" catalogue "$base/models?page=37" "$cookie_header"
  measure "$provider" "GET /models?q=fraud&risk=High ($search_total hits)" search "$base/models?q=fraud&risk=High" "$cookie_header"
  measure "$provider" "GET /api/v1/models?page=37&pageSize=20" api "$base/api/v1/models?page=37&pageSize=20" "$key_header"

  # Still signed in and still answering 200 after the load?
  code="$(curl -s -o "$body" -w '%{http_code}' -H "$cookie_header" "$base/models?page=37")"
  expect "catalogue page after the run" "$body" "$code" 200 "Showing 721–740 of $models"

  stop_pid "$portal_pid"
  portal_pid=""
  if [[ "$provider" == postgresql ]]; then
    gov_pg_stop
  fi
}

seed_lines=()
for provider in "${provider_list[@]}"; do
  run_provider "$provider"
done
load_end="$(cut -d' ' -f1-3 /proc/loadavg)"

# ---------------------------------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------------------------------
cpu_model="$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
mem_total="$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
# shellcheck disable=SC1091
os_name="$( (. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME") || uname -s)"
pg_line="${pg_version:-not run}"
if [[ -z "$pg_version" ]]; then
  b="$(gov_pg_find_bindir)"
  if [[ -n "$b" ]]; then pg_line="$("$b/postgres" --version | awk '{ print $3 }') (installed, not run)"; fi
fi

report="$out_dir/results.md"
{
  echo "Run of $(date -u -d "@$run_started" '+%Y-%m-%d %H:%M') to $(date -u '+%H:%M UTC') (\`bench/catalogue/run.sh\`, commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown))."
  echo
  echo "| Machine | |"
  echo "| --- | --- |"
  echo "| CPU | $(nproc) cores, ${cpu_model:-unknown} |"
  echo "| Memory | $mem_total |"
  echo "| OS | $os_name, Linux $(uname -r) |"
  echo "| .NET SDK / runtime | $(dotnet --version) / $(dotnet --list-runtimes | awk '/Microsoft.AspNetCore.App/ { v = $2 } END { print "ASP.NET Core " v }') |"
  echo "| PostgreSQL | $pg_line (throwaway cluster: fsync, synchronous_commit and full_page_writes off) |"
  echo "| wrk | $(wrk -v 2>&1 | head -n 1 | awk '{ print $2 }'), \`-t$threads -c$connections -d$duration --latency\` after a $warmup warm-up per endpoint; then \`-t1 -c1 -d$single\` |"
  echo "| Load average (1, 5, 15 min) | before $load_start; after $load_end |"
  echo
  echo "Data: $models models × $versions versions. Seeding: $(printf '%s; ' "${seed_lines[@]}" | sed 's/; $//')"
  echo
  echo "| Database | Endpoint | Requests/s | p50 | p90 | p99 | Req/s vs plaintext | Server CPU per request | p50, 1 connection | Requests | Errors | 1-min load before → after |"
  echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |"
  printf '%s\n' "${rows[@]}"
} >"$report"

echo
cat "$report"
echo
say "raw output: ${out_dir#"$repo_root"/}"

if ((record)); then
  readme="$repo_root/bench/catalogue/README.md"
  if ! grep -q '<!-- results:start -->' "$readme" || ! grep -q '<!-- results:end -->' "$readme"; then
    die "$readme has no <!-- results:start --> / <!-- results:end --> markers"
  fi
  awk -v report="$report" '
    /<!-- results:start -->/ { print; while ((getline line < report) > 0) print line; skip = 1; next }
    /<!-- results:end -->/ { skip = 0 }
    !skip { print }' "$readme" >"$readme.tmp" && mv "$readme.tmp" "$readme"
  say "recorded in bench/catalogue/README.md"
fi
