#!/usr/bin/env bash
# Adds a migration for every provider: scripts/add-migration.sh <Name>
# Migrations live in db/<provider>/migrations; the SQL scripts beside them are regenerated.
set -euo pipefail
name=${1:?usage: scripts/add-migration.sh <MigrationName>}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root/src/GovernancePortal.Web"
dotnet tool restore >/dev/null
for pair in "Sqlite:sqlite" "PostgreSql:postgresql"; do
  context=${pair%%:*}; folder=${pair##*:}
  dotnet ef migrations add "$name" --context "${context}GovernanceDbContext" \
    --output-dir "../../db/$folder/migrations" --namespace "GovernancePortal.Data.Migrations.$context"
  # dotnet ef places a linked snapshot by namespace; keep it with its migrations.
  if [ -d "GovernancePortal/Data/Migrations/$context" ]; then
    mv "GovernancePortal/Data/Migrations/$context/"*.cs "../../db/$folder/migrations/"
  fi
done
rm -rf GovernancePortal
dotnet run --no-launch-profile -- schema-script --output "$root/db"
