package dev.attn4j.api.support;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Frees one device tensor's memory, once: run by {@link DeviceTensor#close()} or, for a tensor
 * nobody closed, by the Cleaner, which then logs the leak. Holds no reference to the tensor, as a
 * Cleaner action must not. Frees nothing once the backend is closed: its context took the memory
 * along. Backends say how to free ({@link #free()}).
 */
public abstract class DeviceMemoryRelease implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceMemoryRelease.class);
    private final String backend;
    private final String what;
    private final BackendHealth health;
    private volatile boolean explicit;

    /**
     * @param backend the backend's name, for the leak message
     * @param what    the tensor, e.g. its dtype and shape, for the leak message
     */
    protected DeviceMemoryRelease(String backend, String what, BackendHealth health) {
        this.backend = backend;
        this.what = what;
        this.health = health;
    }

    /** Called by close() before the Cleaner runs this action, so no leak is reported. */
    final void closedExplicitly() {
        explicit = true;
    }

    @Override
    public final void run() {
        if (!explicit) {
            LOG.warn("a {} tensor {} was never closed; the cleaner freed it", backend, what);
        }
        if (!health.isClosed()) {
            free();
        }
    }

    /** Frees the memory; the backend is not closed (it may have failed). */
    protected abstract void free();

    /** A release whose {@link #free()} runs {@code free}. */
    public static DeviceMemoryRelease of(String backend, String what, BackendHealth health, Runnable free) {
        return new DeviceMemoryRelease(backend, what, health) {
            @Override
            protected void free() {
                free.run();
            }
        };
    }
}
