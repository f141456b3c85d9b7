package dev.attn4j.api.support;

import dev.attn4j.api.BackendUnavailableException;

/**
 * The sticky state of an opened backend: open, closed, or failed by a device fault. After the
 * first fault every call fails fast with that fault as the cause, so a broken device is reported
 * once, clearly, instead of as a cascade of unrelated errors.
 */
public final class BackendHealth {
    private final String backend;
    private volatile Throwable firstFault;
    private volatile boolean closed;

    public BackendHealth(String backend) {
        this.backend = backend;
    }

    /** Throws {@link BackendUnavailableException} if closed or failed. */
    public void checkUsable() {
        Throwable f = firstFault;
        if (f != null) {
            throw new BackendUnavailableException(backend, "failed earlier: " + f.getMessage(), f);
        }
        if (closed) {
            throw new BackendUnavailableException(backend, "closed");
        }
    }

    /** Records a fault; only the first is kept. */
    public synchronized void fail(Throwable fault) {
        if (firstFault == null) {
            firstFault = fault;
        }
    }

    public void close() {
        closed = true;
    }

    public boolean isClosed() {
        return closed;
    }

    public boolean isFailed() {
        return firstFault != null;
    }

    /** The first fault, or null. */
    public Throwable firstFault() {
        return firstFault;
    }
}
