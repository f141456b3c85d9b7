package dev.attn4j.conformance;

/**
 * The outcome of one case on one backend.
 *
 * @param caseId            {@link ConformanceCase#id()}
 * @param status            passed, failed (numbers off), error (an exception) or skipped (not supported)
 * @param relL2             ||out - ref|| / ||ref|| over the whole output
 * @param maxErr            max |out - ref| / max |ref|
 * @param lseErr            max |lse - ref| (0 when LSE was not asked for)
 * @param appendMismatches  cache elements or scales append got wrong, plus bytes it changed outside its slots
 * @param unwritten         output or LSE elements still holding the poison after the run
 * @param detail            why it failed, errored or was skipped; empty when passed
 * @param seed              the seed its data was drawn from (re-run with it to reproduce)
 * @param nanos             wall time of the case, incl. the reference
 */
public record CaseResult(String caseId, Status status, double relL2, double maxErr, double lseErr,
                         long appendMismatches, long unwritten, String detail, long seed, long nanos) {

    /** What happened. */
    public enum Status { PASSED, FAILED, ERROR, SKIPPED }

    public boolean passed() {
        return status == Status.PASSED;
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "%-7s relL2=%.2e maxErr=%.2e lseErr=%.2e %s%s", status, relL2,
                maxErr, lseErr, caseId, detail.isEmpty() ? "" : " -- " + detail);
    }
}
