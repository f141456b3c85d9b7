s=$(date +%s)
timeout 200 bash .devpack/run main dev.attn4j.cli.Main bench --backend cuda --batch 64 --context 4096 --prefill-len 8192 --warmup 3 --iters 10 > $OUT/bench.log 2>&1; echo "bench rc $? in $(( $(date +%s)-s )) s"
s=$(date +%s)
JAVA_OPTS='-Dattn4j.ilu.allowAnyCudaDevice=true -Dattn4j.conformance.only=non-finite -Dattn4j.conformance.seed=20261201' WRAP='compute-sanitizer --tool racecheck --error-exitcode 9' timeout 150 bash .devpack/run test --select-method dev.attn4j.ilu.IluConformanceTest#fullSuite > $OUT/racecheck-ilu.log 2>&1; echo "racecheck ilu rc $? in $(( $(date +%s)-s )) s"
grep -E "tests (successful|failed)|RACECHECK SUMMARY" $OUT/racecheck-ilu.log
grep -vE "^INFO|^\s*$" $OUT/bench.log | tail -25
