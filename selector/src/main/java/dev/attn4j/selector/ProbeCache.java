package dev.attn4j.selector;

import dev.attn4j.api.spi.AttentionBackendProvider;
import dev.attn4j.api.spi.Availability;
import dev.attn4j.api.spi.BackendOptions;
import dev.attn4j.api.spi.KillSwitch;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Probes each provider class once per process and options (a probe may load native libraries and
 * query drivers; the options it was given are part of the answer) and never lets it throw: an exception or error becomes the cause. A probe runs on a
 * thread of its own and is waited for at most a bounded time ({@link #DEFAULT_TIMEOUT} unless the
 * caller says otherwise): one that hangs is reported as not answering, and the next probe of that
 * class waits for the same, still running, call. The kill switch {@code attn4j.<name>.disabled=true}
 * is checked on every call, before the cache, so it works without the provider's help and takes
 * effect at once.
 *
 * <p>The result is kept with the provider's class ({@link ClassValue}), not in a map keyed by it: a
 * map would hold the class, and with it the class loader of a backend bundle an OSGi framework has
 * uninstalled (or a web app's loader after undeploy), forever.
 */
public final class ProbeCache {
    /** How long a probe is waited for unless the caller says otherwise. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    /** Bumped by {@link #clear()}: results of an older generation are probed again. */
    private static final AtomicLong GENERATION = new AtomicLong();
    private static final ClassValue<Slot> SLOTS = new ClassValue<>() {
        @Override
        protected Slot computeValue(Class<?> type) {
            return new Slot();
        }
    };

    /** One provider class's probe, finished or running, and the options it was asked with. */
    private static final class Slot {
        private long generation = -1;
        private BackendOptions options;
        private CompletableFuture<Availability> probe;
    }

    private ProbeCache() {
    }

    /** The provider's availability with the default options. */
    public static Availability probe(AttentionBackendProvider p) {
        return probe(p, BackendOptions.defaults(), DEFAULT_TIMEOUT);
    }

    /**
     * The provider's availability with {@code options} (the ones open will get), waiting at most
     * {@code timeout} for a probe still running. A probe with other options than the cached one's
     * runs again.
     */
    public static Availability probe(AttentionBackendProvider p, BackendOptions options, Duration timeout) {
        String name;
        try {
            name = p.name();
        } catch (Throwable t) { // a misbehaving provider is reported, never let through
            return Availability.unavailable("name() threw " + t, t);
        }
        Optional<String> disabled = KillSwitch.cause(name);
        if (disabled.isPresent()) {
            return Availability.unavailable(disabled.get());
        }
        Slot slot = SLOTS.get(p.getClass());
        CompletableFuture<Availability> running;
        synchronized (slot) {
            long now = GENERATION.get();
            if (slot.generation != now || slot.probe == null || !options.equals(slot.options)) {
                slot.probe = BoundedCall.start("probe-" + name, () -> probeNow(p, options));
                slot.generation = now;
                slot.options = options;
            }
            running = slot.probe;
        }
        BoundedCall.Result<Availability> r = BoundedCall.await(running, timeout, a -> { });
        if (r.timedOut()) {
            return Availability.unavailable("its probe did not return within " + BoundedCall.describe(timeout)
                    + " (a driver hanging in its initialization?); it was left running and later selections"
                    + " use its answer once it comes");
        }
        return r.value() != null ? r.value() : Availability.unavailable("the probe was interrupted", r.failure());
    }

    private static Availability probeNow(AttentionBackendProvider p, BackendOptions options) {
        try {
            Availability a = p.probe(options);
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
