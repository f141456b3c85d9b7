package dev.attn4j.selector;

import dev.attn4j.api.Attn4jException;

/**
 * No backend could be chosen: every candidate failed, or a backend named explicitly failed and
 * fallback was not asked for. The message lists every candidate and its reason; {@link #report()}
 * has them all.
 */
public class SelectionException extends Attn4jException {
    private static final long serialVersionUID = 1L;
    private final transient SelectionReport report;

    public SelectionException(String message, SelectionReport report) {
        super(message + ": " + report.reasons());
        this.report = report;
    }

    public SelectionReport report() {
        return report;
    }
}
