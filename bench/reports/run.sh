#!/usr/bin/env bash
# Report benchmark (issue 16): dossier median warm against Chromium alone on the same HTML, a portfolio of 1,000
# production models, server memory with 8 reports at once. See bench/reports/README.md.
#
#   bench/reports/run.sh [--record] [--database sqlite|postgresql] [--iterations N] [--models N] [--concurrent N] [--portfolio-runs N]
#
#   --record     also write the machine, the load average and the table to bench/results/reports.md
#   --database   sqlite (default: a temp file) or postgresql: a throwaway cluster started as scripts/test.sh starts it
#                (scripts/lib/postgres.sh: temp dir, free loopback port, trust auth), stopped and removed on every exit
# Runs under `nice -n 19` (the machine is shared). Needs the .NET SDK and Chromium (GOVERNANCE_TEST_CHROMIUM or
# /usr/bin/chromium); the portal runs in-process on a fresh database (a temp SQLite file, or a database on the throwaway
# PostgreSQL cluster) with the demo data, printing with that Chromium.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo_root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

record=0
database=sqlite
args=()
previous=""
for arg in "$@"; do
  case "$arg" in
    --record) record=1 ;;
    *) args+=("$arg") ;;
  esac
  [[ "$previous" == --database ]] && database="$arg"
  previous="$arg"
done

if [[ "$database" == postgresql ]]; then
  # shellcheck source=scripts/lib/postgres.sh
  source "$repo_root/scripts/lib/postgres.sh"
  pg_bindir="$(gov_pg_find_bindir)"
  [[ -n "$pg_bindir" ]] || { echo "error: no PostgreSQL server installed (scripts/test.sh installs it)" >&2; exit 1; }
  trap '[[ -n "${GOV_PG_TMP:-}" ]] && gov_pg_stop' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  gov_pg_start "$pg_bindir" >&2 || { echo "error: could not start the throwaway PostgreSQL cluster" >&2; exit 1; }
  # The server under the same `nice` as the portal (its backends inherit it), as the in-process SQLite is.
  renice -n 19 -p "$(gov_pg_postmaster_pid)" >/dev/null
  export GOVERNANCE_TEST_POSTGRES="Host=127.0.0.1;Port=$GOV_PG_PORT;Username=postgres;Database=postgres;Pooling=true"
  pg_version="PostgreSQL $("$pg_bindir/postgres" --version | awk '{print $3}') (throwaway cluster as in scripts/test.sh: fsync=off, synchronous_commit=off)"
fi

machine() {
  echo "- CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), nproc $(nproc)"
  echo "- Memory (free -m): $(free -m | awk '/^Mem:/ {print "total " $2 " MiB, used " $3 " MiB, available " $7 " MiB"}')"
  echo "- .NET $(dotnet --version), $(${GOVERNANCE_TEST_CHROMIUM:-/usr/bin/chromium} --version 2>/dev/null || echo 'chromium ?')"
  echo "- Database: ${pg_version:-SQLite (temp file)}"
}

project=bench/reports/ReportBench/ReportBench.csproj
nice -n 19 dotnet build "$project" -c Release -v q -nologo >&2
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
uptime_before="$(uptime)"
table="$(nice -n 19 dotnet "bench/reports/ReportBench/bin/Release/net10.0/ReportBench.dll" "${args[@]}")"
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"
uptime_after="$(uptime)"

report="$(cat <<MD
## Run of $(date -u '+%Y-%m-%d %H:%M UTC') (\`bench/reports/run.sh ${args[*]:-}\`)

$(machine)
- Load average (1/5/15 min) before: ${load_before}; after: ${load_after} (other engineers' builds and tests shared the cores)
- \`uptime\` before: ${uptime_before# }; after: ${uptime_after# }

${table}
MD
)"
echo "$report"
if [[ $record -eq 1 ]]; then
  mkdir -p bench/results
  { echo; echo "$report"; } >> bench/results/reports.md
fi
