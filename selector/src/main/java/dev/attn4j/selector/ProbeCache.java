package dev.attn4j.selector;

import dev.attn4j.api.spi.AttentionBackendProvider;
import dev.attn4j.api.spi.Availability;
import dev.attn4j.api.spi.KillSwitch;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Probes each provider class once per process (a probe may load native libraries and query
 * drivers) and never lets it throw: an exception or error becomes the cause. The kill switch
 * {@code attn4j.<name>.disabled=true} is checked on every call, before the cache, so it works
 * without the provider's help and takes effect at once.
 *
 * <p>The result is kept with the provider's class ({@link ClassValue}), not in a map keyed by it: a
 * map would hold the class, and with it the class loader of a backend bundle an OSGi framework has
 * uninstalled (or a web app's loader after undeploy), forever.
 */
public final class ProbeCache {
    /** Bumped by {@link #clear()}: results of an older generation are probed again. */
    private static final AtomicLong GENERATION = new AtomicLong();
    private static final ClassValue<Slot> SLOTS = new ClassValue<>() {
        @Override
        protected Slot computeValue(Class<?> type) {
            return new Slot();
        }
    };

    /** One provider class's last probe. */
    private static final class Slot {
        private long generation = -1;
        private Availability availability;
    }

    private ProbeCache() {
    }

    public static Availability probe(AttentionBackendProvider p) {
        Optional<String> disabled = KillSwitch.cause(p.name());
        if (disabled.isPresent()) {
            return Availability.unavailable(disabled.get());
        }
        Slot slot = SLOTS.get(p.getClass());
        synchronized (slot) {   // one probe at a time per class; others wait for its result
            long now = GENERATION.get();
            if (slot.generation != now) {
                slot.availability = probeNow(p);
                slot.generation = now;
            }
            return slot.availability;
        }
    }

    private static Availability probeNow(AttentionBackendProvider p) {
        try {
            Availability a = p.probe();
            return a != null ? a : Availability.unavailable("probe returned null");
        } catch (Throwable t) { // a probe must never take the selection down, whatever it throws
            return Availability.unavailable("probe threw " + t, t);
        }
    }

    /** Forgets cached probes (tests, and hosts that hot-plug devices). */
    public static void clear() {
        GENERATION.incrementAndGet();
    }
}
