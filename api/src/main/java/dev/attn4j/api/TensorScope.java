package dev.attn4j.api;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The tensors and plans of one step, freed together: what is made through the scope (or handed to
 * {@link #track}) is closed when the scope closes, last made first, so an exception half-way
 * through a step leaks nothing. DJL's {@code NDManager} plays this part there. A scope is for one
 * thread's step; the backend it belongs to is shared as usual. Caches normally outlive steps and are
 * made outside any scope.
 *
 * <pre>{@code
 * try (TensorScope step = backend.newScope()) {
 *     Plan plan = step.plan(PlanRequest.decode(shape, batch));
 *     Tensor q = step.allocate(DType.BF16, n, heads, headDim);
 *     Tensor out = step.allocate(DType.BF16, n, heads, headDim);
 *     ...
 *     backend.run(plan, q, cache, out);
 * }   // out, q, plan closed here
 * }</pre>
 */
public final class TensorScope implements AutoCloseable {
    private final AttentionBackend backend;
    private final Deque<AutoCloseable> owned = new ArrayDeque<>();
    private boolean closed;

    /** A scope over {@code backend}; usually {@link AttentionBackend#newScope()}. */
    public TensorScope(AttentionBackend backend) {
        this.backend = InvalidRequestException.requireNonNull(backend, "backend");
    }

    public AttentionBackend backend() {
        return backend;
    }

    /** {@link AttentionBackend#allocate}, closed with the scope. */
    public Tensor allocate(DType dtype, int... shape) {
        checkOpen();
        return track(backend.allocate(dtype, shape));
    }

    /** {@link AttentionBackend#upload}, closed with the scope. */
    public Tensor upload(DType dtype, int[] shape, ByteBuffer data) {
        checkOpen();
        return track(backend.upload(dtype, shape, data));
    }

    /** {@link AttentionBackend#wrap}, closed with the scope (which does not free the host's memory). */
    public Tensor wrap(ExternalMemory memory, DType dtype, int... shape) {
        checkOpen();
        return track(backend.wrap(memory, dtype, shape));
    }

    /** {@link AttentionBackend#plan}, closed with the scope. */
    public Plan plan(PlanRequest request) {
        checkOpen();
        return track(backend.plan(request));
    }

    /** Closes {@code resource} with the scope, and returns it; made elsewhere, e.g. a cache for this step only. */
    public synchronized <T extends AutoCloseable> T track(T resource) {
        InvalidRequestException.requireNonNull(resource, "resource");
        if (closed) {
            closeQuietly(resource, null);
            throw new IllegalStateException("the scope is closed; the resource was closed too");
        }
        owned.push(resource);
        return resource;
    }

    /** How many resources the scope holds. */
    public synchronized int size() {
        return owned.size();
    }

    /**
     * Closes every resource, last made first. Every one is closed even when one throws; the first
     * failure is rethrown with the others suppressed. Closing again does nothing.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        RuntimeException first = null;
        while (!owned.isEmpty()) {
            first = closeQuietly(owned.pop(), first);
        }
        if (first != null) {
            throw first;
        }
    }

    private synchronized void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the scope is closed");
        }
    }

    private static RuntimeException closeQuietly(AutoCloseable r, RuntimeException first) {
        try {
            r.close();
            return first;
        } catch (Exception e) {
            RuntimeException re = e instanceof RuntimeException rt ? rt : new IllegalStateException("close failed", e);
            if (first == null) {
                return re;
            }
            first.addSuppressed(re);
            return first;
        }
    }
}
