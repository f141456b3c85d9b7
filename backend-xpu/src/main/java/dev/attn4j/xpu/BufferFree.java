package dev.attn4j.xpu;

import dev.attn4j.api.support.BackendHealth;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Frees one tensor's device memory, once: run by {@link XpuTensor#close()} or, for a tensor nobody
 * closed, by the Cleaner (then it logs the leak). Holds no reference to the tensor, as a Cleaner
 * action must not. Nothing is freed once the backend is closed: the context took the memory along.
 */
final class BufferFree implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(BufferFree.class);
    private final XpuBackend backend;
    private final DeviceBuffer buffer;
    private final String what;
    private final BackendHealth health;
    private volatile boolean explicit;

    BufferFree(XpuBackend backend, DeviceBuffer buffer, String what, BackendHealth health) {
        this.backend = backend;
        this.buffer = buffer;
        this.what = what;
        this.health = health;
    }

    void closedExplicitly() {
        explicit = true;
    }

    @Override
    public void run() {
        if (!explicit) {
            LOG.warn("an xpu tensor {} was never closed; the cleaner freed it", what);
        }
        if (!health.isClosed() && !health.isFailed()) {
            backend.free(buffer);
        }
    }
}
