package dev.attn4j.selector;

import dev.attn4j.api.spi.AttentionBackendProvider;
import dev.attn4j.api.spi.Availability;
import dev.attn4j.api.spi.KillSwitch;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Probes each provider class once per process (a probe may load native libraries and query
 * drivers) and never lets it throw: an exception or error becomes the cause. The kill switch
 * {@code attn4j.<name>.disabled=true} is checked on every call, before the cache, so it works
 * without the provider's help and takes effect at once.
 */
public final class ProbeCache {
    private static final Map<Class<?>, Availability> CACHE = new ConcurrentHashMap<>();

    private ProbeCache() {
    }

    public static Availability probe(AttentionBackendProvider p) {
        Optional<String> disabled = KillSwitch.cause(p.name());
        if (disabled.isPresent()) {
            return Availability.unavailable(disabled.get());
        }
        return CACHE.computeIfAbsent(p.getClass(), k -> probeNow(p));
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
        CACHE.clear();
    }
}
