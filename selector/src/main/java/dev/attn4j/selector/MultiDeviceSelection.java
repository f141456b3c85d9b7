package dev.attn4j.selector;

import dev.attn4j.api.AttentionBackend;

import java.util.ArrayList;
import java.util.List;

/**
 * The result of {@link BackendSelector#selectAll}: one chosen, validated backend per usable device
 * of one provider, in device order, and the report with a line per device. Each backend is its
 * own: its tensors, caches and plans are refused by the others (a clear
 * {@link dev.attn4j.api.InvalidRequestException}), and each may be driven from its own thread.
 * Closing this closes them all.
 */
public final class MultiDeviceSelection implements AutoCloseable {
    private final List<Selection> selections;
    private final SelectionReport report;

    MultiDeviceSelection(List<AttentionBackend> chosen, SelectionReport report) {
        List<Selection> list = new ArrayList<>();
        for (AttentionBackend b : chosen) {
            list.add(new Selection(b, report));
        }
        this.selections = List.copyOf(list);
        this.report = report;
    }

    /** The backends, one per device that passed, in device order. */
    public List<AttentionBackend> backends() {
        return selections.stream().map(Selection::backend).toList();
    }

    /** Each device's selection (its backend, and the report with any run-time failure it has had since). */
    public List<Selection> selections() {
        return selections;
    }

    /** The report of the selection itself, one line per device tried. */
    public SelectionReport report() {
        return report;
    }

    /** Closes every backend, each even when an earlier one's close threw; the first failure is rethrown. */
    @Override
    public void close() {
        RuntimeException first = null;
        for (Selection s : selections) {
            try {
                s.close();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
