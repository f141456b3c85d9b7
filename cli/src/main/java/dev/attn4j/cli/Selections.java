package dev.attn4j.cli;

import dev.attn4j.api.InvalidRequestException;
import dev.attn4j.api.Requirements;
import dev.attn4j.selector.BackendSelector;
import dev.attn4j.selector.MultiDeviceSelection;
import dev.attn4j.selector.Selection;

import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Opens a backend the way an engine would: through {@link BackendSelector} with validation on, so
 * every command runs on a backend that has just passed the conformance cases of its configuration.
 */
final class Selections {
    private Selections() {
    }

    /**
     * Selects for {@code requirements}. {@code backend} (e.g. {@code cuda} or {@code cuda,cpu}) is an
     * explicit order that overrides {@code -Dattn4j.backend} and {@code ATTN4J_BACKEND}; null leaves
     * the order to those, then to provider priority. An unknown name raises the selector's
     * InvalidRequestException, whose message lists the valid names.
     */
    static Selection select(String backend, Requirements requirements) {
        return selector(backend).select(requirements);
    }

    /** As {@link #select}, one validated backend per device of the chosen provider ({@code bench --all-devices}). */
    static MultiDeviceSelection selectAll(String backend, Requirements requirements) {
        return selector(backend).selectAll(requirements);
    }

    private static BackendSelector selector(String backend) {
        BackendSelector.Builder b = BackendSelector.builder();
        if (backend == null || backend.isBlank()) {
            return b.build();
        }
        String[] names = Arrays.stream(backend.split(",")).map(s -> s.trim().toLowerCase(Locale.ROOT))
                .filter(s -> !s.isEmpty()).toArray(String[]::new);
        BackendSelector selector = b.order(names).build();
        // The selector would reject these too, but would say they came "from code"; the user typed an option.
        Set<String> known = selector.providers().keySet();
        String unknown = Arrays.stream(names).filter(n -> !known.contains(n)).collect(Collectors.joining(","));
        if (!unknown.isEmpty()) {
            throw new InvalidRequestException("--backend", unknown, "unknown backend name; valid: "
                    + known.stream().sorted().collect(Collectors.joining(", ")));
        }
        return selector;
    }
}
