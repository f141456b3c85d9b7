#!/usr/bin/env bash
# Builds attn4j and runs its CLI: with no arguments, the backend report and a short bench on the
# backend selection picks (cpu on a machine without a GPU). Arguments go to the CLI, e.g.
#   scripts/run.sh verify --quick        scripts/run.sh bench --kv fp8-e4m3 --json
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh >/dev/null
mvn -q -B -DskipTests -Dmaven.javadoc.skip=true package
exec java --add-modules jdk.incubator.vector -jar cli/target/attn4j.jar "$@"
