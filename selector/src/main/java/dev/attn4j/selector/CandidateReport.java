package dev.attn4j.selector;

/**
 * One candidate's line in a {@link SelectionReport}.
 *
 * @param name     the provider's name
 * @param priority the provider's priority
 * @param source   where the provider came from: its class and jar
 * @param outcome  how far it got
 * @param reason   why it stopped there (empty when chosen or not tried)
 * @param nanos    time spent on it (probe, check, open, validation)
 */
public record CandidateReport(String name, int priority, String source, Outcome outcome, String reason, long nanos) {

    public double millis() {
        return nanos / 1e6;
    }

    CandidateReport withOutcome(Outcome o, String why) {
        return new CandidateReport(name, priority, source, o, why, nanos);
    }
}
