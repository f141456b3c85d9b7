package dev.attn4j.selector;

import dev.attn4j.api.AttentionBackend;

/**
 * The result of selection: the chosen backend (ready, validated) and the report. Closing the
 * selection closes the backend; the owner of a Guice injector closes it through
 * {@code injector.getInstance(Selection.class).close()}.
 */
public final class Selection implements AutoCloseable {
    private final FaultLatchingBackend backend;
    private volatile SelectionReport report;

    Selection(AttentionBackend chosen, SelectionReport report) {
        this.report = report;
        this.backend = new FaultLatchingBackend(chosen,
                fault -> this.report = this.report.withRunTimeFailure(chosen.name(), fault.getMessage()));
    }

    /** The chosen backend; a device fault it raises marks it failed (see {@link Outcome#FAILED_AT_RUN_TIME}). */
    public AttentionBackend backend() {
        return backend;
    }

    /** The report, including a run-time failure if one has happened since. */
    public SelectionReport report() {
        return report;
    }

    @Override
    public void close() {
        backend.close();
    }
}
