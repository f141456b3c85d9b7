package dev.attn4j.tck;

import dev.attn4j.api.AttentionBackend;
import dev.attn4j.api.Plan;
import dev.attn4j.api.PlanRequest;
import dev.attn4j.api.support.ForwardingBackend;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The backend under test, noting each plan's {@link Plan#describe()}: which kernel it chose and how
 * it split the work. The TCK checks from these that the suite reached every kernel family the
 * backend declares, and split-KV.
 */
final class PlanRecorder extends ForwardingBackend {
    private static final Pattern SPLIT = Pattern.compile("split up to (\\d+) ways");
    private final Set<String> descriptions = ConcurrentHashMap.newKeySet();

    PlanRecorder(AttentionBackend delegate) {
        super(delegate);
    }

    @Override
    public Plan plan(PlanRequest request) {
        Plan p = super.plan(request);
        descriptions.add(p.describe());
        return p;
    }

    /** Whether some plan's description contains {@code family}. */
    boolean reached(String family) {
        return descriptions.stream().anyMatch(d -> d.contains(family));
    }

    /** Whether some plan split a sequence's KV between work items ({@code WorkSplit.describe()}). */
    boolean reachedSplitKv() {
        for (String d : descriptions) {
            Matcher m = SPLIT.matcher(d);
            if (m.find() && Integer.parseInt(m.group(1)) > 1) {
                return true;
            }
        }
        return false;
    }

    /** The backend recorded. */
    AttentionBackend recorded() {
        return delegate;
    }

    int plans() {
        return descriptions.size();
    }
}
