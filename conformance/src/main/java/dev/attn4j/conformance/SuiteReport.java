package dev.attn4j.conformance;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** The results of a suite run on one backend, with counts and a one-line summary. */
public record SuiteReport(String backend, long seed, List<CaseResult> results) {

    public SuiteReport {
        results = List.copyOf(results);
    }

    public long count(CaseResult.Status status) {
        return results.stream().filter(r -> r.status() == status).count();
    }

    /** True when nothing failed or errored (skipped cases do not count against). */
    public boolean allPassed() {
        return count(CaseResult.Status.FAILED) == 0 && count(CaseResult.Status.ERROR) == 0;
    }

    public List<CaseResult> failures() {
        return results.stream()
                .filter(r -> r.status() == CaseResult.Status.FAILED || r.status() == CaseResult.Status.ERROR)
                .collect(Collectors.toList());
    }

    /** Worst relative L2 error over the cases that ran. */
    public double worstRelL2() {
        return results.stream().filter(r -> r.status() != CaseResult.Status.SKIPPED)
                .mapToDouble(CaseResult::relL2).filter(Double::isFinite).max().orElse(0);
    }

    /** e.g. {@code cpu: 412 cases, 412 passed, 0 failed, 0 errors, 0 skipped; worst relL2 3.1e-03; seed 42}. */
    public String summary() {
        return String.format(Locale.ROOT,
                "%s: %d cases, %d passed, %d failed, %d errors, %d skipped; worst relL2 %.1e; seed %d",
                backend, results.size(), count(CaseResult.Status.PASSED), count(CaseResult.Status.FAILED),
                count(CaseResult.Status.ERROR), count(CaseResult.Status.SKIPPED), worstRelL2(), seed);
    }
}
