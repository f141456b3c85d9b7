package dev.attn4j.api.support;

import dev.attn4j.api.AttentionBackend;
import dev.attn4j.api.Capabilities;
import dev.attn4j.api.DType;
import dev.attn4j.api.DeviceException;
import dev.attn4j.api.ExternalMemory;
import dev.attn4j.api.InvalidRequestException;
import dev.attn4j.api.KvCache;
import dev.attn4j.api.KvCacheSpec;
import dev.attn4j.api.KvScales;
import dev.attn4j.api.Plan;
import dev.attn4j.api.PlanRequest;
import dev.attn4j.api.Tensor;

import java.util.function.Supplier;

/**
 * The shape every backend has, written once: each public call checks the backend is usable,
 * validates its arguments ({@link RequestValidator}, so every backend rejects the same input with
 * the same message) and only then calls the backend's {@code ...Validated} hook. The public methods
 * are final, so no backend can skip a check; the hooks see only valid input.
 *
 * <p>Calls that touch the device run through {@link #guarded}: by default the usable check and the
 * sticky-fault latch; a device backend overrides it to also take its lock (and make its context
 * current), so that validation, reading native handles and the launch happen under the lock that
 * frees memory, and a close on another thread lands before (rejected) or after, never between.
 *
 * <p>The hooks take the backend's own types: validation has checked that every tensor, cache and
 * plan belongs to this backend (and is open), so they arrive cast.
 *
 * @param <T> the backend's tensors
 * @param <C> its KV caches
 * @param <P> its plans
 */
public abstract class ValidatingBackend<T extends Tensor, C extends KvCache, P extends Plan> implements AttentionBackend {
    private final String name;
    private final Capabilities capabilities;
    private final BackendHealth health;

    protected ValidatingBackend(String name, Capabilities capabilities) {
        this.name = name;
        this.capabilities = capabilities;
        this.health = new BackendHealth(name);
    }

    /** Open, closed, or failed by a sticky device fault. */
    protected final BackendHealth health() {
        return health;
    }

    /**
     * Runs a device-facing step: usable check, then {@code body}; a sticky {@link DeviceException}
     * marks the backend failed. Device backends override it to hold their lock as well.
     */
    protected <T> T guarded(Supplier<T> body) {
        health.checkUsable();
        try {
            return body.get();
        } catch (DeviceException e) {
            if (e.isSticky()) {
                health.fail(e);
            }
            throw e;
        }
    }

    /** {@link #guarded} for a body without a result. */
    protected final void guardedRun(Runnable body) {
        guarded(() -> {
            body.run();
            return null;
        });
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final Capabilities capabilities() {
        return capabilities;
    }

    @Override
    public final Tensor allocate(DType dtype, int... shape) {
        long bytes = AbstractTensor.byteSize(dtype, shape);
        int[] s = shape.clone();
        return guarded(() -> allocateValidated(dtype, s, bytes));
    }

    @Override
    public final Tensor wrap(ExternalMemory memory, DType dtype, int... shape) {
        health.checkUsable();
        InvalidRequestException.requireNonNull(memory, "memory");
        checkWrappable(memory);
        long need = AbstractTensor.byteSize(dtype, shape);
        if (memory.byteSize() < need) {
            throw new InvalidRequestException("memory.byteSize", memory.byteSize(),
                    "smaller than the " + need + " bytes the shape needs");
        }
        int[] s = shape.clone();
        return guarded(() -> wrapValidated(memory, dtype, s, need));
    }

    @Override
    public final void copy(Tensor src, Tensor dst) {
        guardedRun(() -> {
            RequestValidator.checkTensor(this, src, "src");
            RequestValidator.checkTensor(this, dst, "dst", src.dtype(), src.shape());
            copyValidated(own(src), own(dst));
        });
    }

    @Override
    public final KvCache createKvCache(KvCacheSpec spec, KvScales scales) {
        health.checkUsable();
        RequestValidator.validateCacheCreation(this, spec, scales);
        return createKvCacheValidated(spec, scales);
    }

    @Override
    public final void append(KvCache cache, Tensor keys, Tensor values, int[] slots) {
        guardedRun(() -> {
            RequestValidator.validateAppend(this, cache, keys, values, slots);
            appendValidated(own(cache), own(keys), own(values), slots);
        });
    }

    @Override
    public final Plan plan(PlanRequest request) {
        health.checkUsable();
        ValidatedBatch batch = RequestValidator.validatePlan(this, request);
        return planValidated(request, batch);
    }

    @Override
    public final void run(Plan plan, Tensor query, KvCache cache, Tensor out, Tensor lse) {
        guardedRun(() -> {
            RequestValidator.validateRun(this, plan, query, cache, out, lse);
            attentionValidated(own(plan), own(query), own(cache), own(out), lse == null ? null : own(lse));
        });
    }

    @Override
    public final void synchronize() {
        guardedRun(this::synchronizeDevice);
    }

    @Override
    public final boolean isClosed() {
        return health.isClosed() || health.isFailed();
    }

    /** Closes once: {@link #release} frees what the backend holds, then it is closed for good. */
    @Override
    public final synchronized void close() {
        if (health.isClosed()) {
            return;
        }
        try {
            release(health.isFailed());
        } finally {
            health.close();
        }
    }

    /** The backend's own object: validation checked it belongs to this backend. */
    @SuppressWarnings("unchecked")
    private <X> X own(Object validated) {
        return (X) validated;
    }

    /** A new tensor of {@code bytes} bytes; dtype and shape are valid and {@code bytes} their exact size. */
    protected abstract T allocateValidated(DType dtype, int[] shape, long bytes);

    /**
     * Rejects memory this backend cannot wrap ({@code UnsupportedConfigurationException} for a kind
     * it does not take, {@link InvalidRequestException} for what is wrong with it), before any size
     * check.
     */
    protected abstract void checkWrappable(ExternalMemory memory);

    /** A tensor over {@code memory}, which {@link #checkWrappable} accepted and which holds {@code bytes}. */
    protected abstract T wrapValidated(ExternalMemory memory, DType dtype, int[] shape, long bytes);

    /** Copies {@code src} into {@code dst}: both this backend's, open, of one dtype and shape. */
    protected abstract void copyValidated(T src, T dst);

    /** A new cache of a valid {@code spec} with {@code scales} valid for it. */
    protected abstract C createKvCacheValidated(KvCacheSpec spec, KvScales scales);

    /** Appends a validated call's keys and values into its slots. */
    protected abstract void appendValidated(C cache, T keys, T values, int[] slots);

    /** The plan of a validated request. */
    protected abstract P planValidated(PlanRequest request, ValidatedBatch batch);

    /** Runs a validated plan (prefill or decode, as its kind says). */
    protected abstract void attentionValidated(P plan, T query, C cache, T out, T lse);

    /** Waits for the work issued so far; nothing to wait for by default (a synchronous backend). */
    protected void synchronizeDevice() {
    }

    /**
     * Frees what the backend holds, once, from {@link #close()}; {@code failed}: a sticky fault
     * happened, and the device or context may not be able to free anything.
     */
    protected abstract void release(boolean failed);
}
