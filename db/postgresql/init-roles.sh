#!/bin/sh
# Creates the portal's runtime role when the postgres image initialises an empty data directory (docker-compose mounts
# this into /docker-entrypoint-initdb.d). POSTGRES_USER owns the database and, through `migrate`, every table; the portal
# connects as this role, which owns nothing, and `migrate` grants it what it needs (db/postgresql/runtime-role.sql, ADR-025).
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v runtime_role="${PORTAL_DB_USER:-governance_portal}" -v runtime_password="$PORTAL_DB_PASSWORD" <<'SQL'
CREATE ROLE :"runtime_role" LOGIN PASSWORD :'runtime_password' NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT;
SQL
