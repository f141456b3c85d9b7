package dev.attn4j.selector;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Everything selection did: the requirements, where the order came from, every candidate with
 * its outcome, reason and time, and the choice. Printable as one log line, a table or JSON.
 */
public record SelectionReport(String requirements, String orderSource, List<CandidateReport> candidates,
                              String chosen, long nanos) {

    public SelectionReport {
        candidates = List.copyOf(candidates);
    }

    /** The chosen backend's name, if any. */
    public Optional<String> chosenName() {
        return Optional.ofNullable(chosen);
    }

    /** The candidate of this name, if it was discovered. */
    public Optional<CandidateReport> candidate(String name) {
        return candidates.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    /** A copy in which the chosen backend is marked failed at run time with this cause. */
    public SelectionReport withRunTimeFailure(String name, String cause) {
        List<CandidateReport> out = new ArrayList<>();
        for (CandidateReport c : candidates) {
            out.add(c.name().equals(name) ? c.withOutcome(Outcome.FAILED_AT_RUN_TIME, cause) : c);
        }
        return new SelectionReport(requirements, orderSource, out, chosen, nanos);
    }

    /** e.g. {@code cuda: UNAVAILABLE (no driver); cpu: CHOSEN}. */
    public String reasons() {
        return candidates.stream()
                .map(c -> c.name() + ": " + c.outcome() + (c.reason().isEmpty() ? "" : " (" + c.reason() + ")"))
                .collect(Collectors.joining("; "));
    }

    /** The one INFO line selection logs. */
    public String logLine() {
        return String.format(Locale.ROOT, "attn4j selected %s in %.1f ms [%s] order=%s; %s",
                chosen == null ? "nothing" : chosen, nanos / 1e6, requirements, orderSource, reasons());
    }

    /** A fixed-width table, one row per candidate. */
    public String table() {
        StringBuilder b = new StringBuilder();
        b.append("requirements: ").append(requirements).append('\n');
        b.append("order: ").append(orderSource).append('\n');
        b.append(String.format(Locale.ROOT, "%-10s %8s  %-18s %9s  %s%n", "backend", "priority", "outcome", "ms", "reason"));
        for (CandidateReport c : candidates) {
            b.append(String.format(Locale.ROOT, "%-10s %8d  %-18s %9.1f  %s%n", c.name(), c.priority(), c.outcome(),
                    c.millis(), c.reason().replaceAll("\\s+", " ").strip()));
        }
        b.append("chosen: ").append(chosen == null ? "none" : chosen).append('\n');
        return b.toString();
    }

    /** The report as a JSON object. */
    public String json() {
        StringBuilder b = new StringBuilder("{");
        b.append("\"requirements\":").append(JsonText.quote(requirements));
        b.append(",\"order\":").append(JsonText.quote(orderSource));
        b.append(",\"chosen\":").append(chosen == null ? "null" : JsonText.quote(chosen));
        b.append(String.format(Locale.ROOT, ",\"ms\":%.3f", nanos / 1e6));
        b.append(",\"candidates\":[");
        for (int i = 0; i < candidates.size(); i++) {
            CandidateReport c = candidates.get(i);
            if (i > 0) {
                b.append(',');
            }
            b.append("{\"name\":").append(JsonText.quote(c.name()))
                    .append(",\"priority\":").append(c.priority())
                    .append(",\"source\":").append(JsonText.quote(c.source()))
                    .append(",\"outcome\":").append(JsonText.quote(c.outcome().name()))
                    .append(",\"reason\":").append(JsonText.quote(c.reason()))
                    .append(String.format(Locale.ROOT, ",\"ms\":%.3f}", c.millis()));
        }
        return b.append("]}").toString();
    }
}
