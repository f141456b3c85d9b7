package dev.attn4j.selector;

import dev.attn4j.api.InvalidRequestException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Where the candidate order comes from: an explicit list given in code, else the system property
 * {@code attn4j.backend}, else the environment variable {@code ATTN4J_BACKEND} (comma-separated,
 * e.g. {@code cuda,cpu}), else provider priority. Names are checked against the providers found.
 *
 * @param names  the explicit names in order; empty means priority order
 * @param source where they came from, for the report
 */
public record BackendOrder(List<String> names, String source) {
    public static final String PROPERTY = "attn4j.backend";
    public static final String ENV = "ATTN4J_BACKEND";

    /** Resolves the order from code, then the property, then the environment. */
    static BackendOrder resolve(List<String> inCode, String property, Map<String, String> env) {
        if (inCode != null && !inCode.isEmpty()) {
            return new BackendOrder(inCode, "explicit (code)");
        }
        if (property != null && !property.isBlank()) {
            return new BackendOrder(split(property), "explicit (-D" + PROPERTY + "=" + property + ")");
        }
        String e = env.get(ENV);
        if (e != null && !e.isBlank()) {
            return new BackendOrder(split(e), "explicit (" + ENV + "=" + e + ")");
        }
        return new BackendOrder(List.of(), "priority");
    }

    boolean explicit() {
        return !names.isEmpty();
    }

    /** Rejects names no usable provider has, listing the valid ones and why any rejected one is not. */
    void checkKnown(Collection<String> known, List<CandidateReport> rejected) {
        List<String> unknown = new ArrayList<>();
        for (String n : names) {
            if (!known.contains(n)) {
                unknown.add(n);
            }
        }
        if (!unknown.isEmpty()) {
            String unusable = rejected.stream().filter(r -> unknown.contains(r.name()))
                    .map(r -> "; " + r.name() + " is " + r.outcome() + ": " + r.reason())
                    .collect(Collectors.joining());
            throw new InvalidRequestException("backend", String.join(",", unknown),
                    "unknown backend name (from " + source + "); valid: "
                            + known.stream().sorted().collect(Collectors.joining(", ")) + unusable);
        }
    }

    private static List<String> split(String s) {
        return Arrays.stream(s.split(",")).map(x -> x.trim().toLowerCase(Locale.ROOT)).filter(x -> !x.isEmpty())
                .collect(Collectors.toList());
    }
}
