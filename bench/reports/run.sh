#!/usr/bin/env bash
# Report benchmark (issue 16): dossier median warm against Chromium alone on the same HTML, a portfolio of 1,000
# production models, server memory with 8 reports at once. See bench/reports/README.md.
#
#   bench/reports/run.sh [--record] [--iterations N] [--models N] [--concurrent N] [--portfolio-runs N]
#
#   --record   also write the machine, the load average and the table to bench/results/reports.md
# Runs under `nice -n 19` (the machine is shared). Needs the .NET SDK and Chromium (GOVERNANCE_TEST_CHROMIUM or
# /usr/bin/chromium); the portal runs in-process on a temp SQLite file with the demo data, printing with that Chromium.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo_root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

record=0
args=()
for arg in "$@"; do
  case "$arg" in
    --record) record=1 ;;
    *) args+=("$arg") ;;
  esac
done

machine() {
  echo "- CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), nproc $(nproc)"
  echo "- Memory (free -m): $(free -m | awk '/^Mem:/ {print "total " $2 " MiB, used " $3 " MiB, available " $7 " MiB"}')"
  echo "- .NET $(dotnet --version), $(${GOVERNANCE_TEST_CHROMIUM:-/usr/bin/chromium} --version 2>/dev/null || echo 'chromium ?')"
}

project=bench/reports/ReportBench/ReportBench.csproj
nice -n 19 dotnet build "$project" -c Release -v q -nologo >&2
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
table="$(nice -n 19 dotnet "bench/reports/ReportBench/bin/Release/net10.0/ReportBench.dll" "${args[@]}")"
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

report="$(cat <<MD
## Run of $(date -u '+%Y-%m-%d %H:%M UTC') (\`bench/reports/run.sh ${args[*]:-}\`)

$(machine)
- Load average (1/5/15 min) before: ${load_before}; after: ${load_after} (other engineers' builds and tests shared the cores)

${table}
MD
)"
echo "$report"
if [[ $record -eq 1 ]]; then
  mkdir -p bench/results
  { echo; echo "$report"; } >> bench/results/reports.md
fi
