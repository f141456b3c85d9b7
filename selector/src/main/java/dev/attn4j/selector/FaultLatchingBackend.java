package dev.attn4j.selector;

import dev.attn4j.api.AttentionBackend;
import dev.attn4j.api.BackendUnavailableException;
import dev.attn4j.api.DType;
import dev.attn4j.api.DeviceException;
import dev.attn4j.api.ExternalMemory;
import dev.attn4j.api.KvCache;
import dev.attn4j.api.KvCacheSpec;
import dev.attn4j.api.KvScales;
import dev.attn4j.api.Plan;
import dev.attn4j.api.PlanRequest;
import dev.attn4j.api.Tensor;
import dev.attn4j.api.support.BackendHealth;
import dev.attn4j.api.support.ForwardingBackend;

import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The chosen backend as handed to the host: every call goes to the backend, and the first sticky
 * {@link DeviceException} it raises (the device or context lost; {@link DeviceException#isSticky()})
 * marks it failed. A fault that is not sticky, such as an allocation larger than the device allows,
 * fails that call only. After a sticky one every call fails fast with
 * {@link BackendUnavailableException} carrying that first fault, and the selection report shows
 * the backend as {@link Outcome#FAILED_AT_RUN_TIME}. Backends latch their own faults too; this
 * makes the behaviour the same for every backend and puts it in the report.
 */
final class FaultLatchingBackend extends ForwardingBackend {
    private final BackendHealth health;
    private final Consumer<DeviceException> onFault;

    FaultLatchingBackend(AttentionBackend delegate, Consumer<DeviceException> onFault) {
        super(delegate);
        this.health = new BackendHealth(delegate.name());
        this.onFault = onFault;
    }

    private <T> T call(Supplier<T> op) {
        health.checkUsable();
        try {
            return op.get();
        } catch (DeviceException e) {
            if (e.isSticky()) {   // out of memory and the like fail this call only
                health.fail(e);
                onFault.accept(e);
            }
            throw e;
        }
    }

    private void run(Runnable op) {
        call(() -> {
            op.run();
            return null;
        });
    }

    @Override
    public Tensor allocate(DType dtype, int... shape) {
        return call(() -> delegate.allocate(dtype, shape));
    }

    @Override
    public Tensor upload(DType dtype, int[] shape, java.nio.ByteBuffer data) {
        return call(() -> delegate.upload(dtype, shape, data));
    }

    @Override
    public Tensor wrap(ExternalMemory memory, DType dtype, int... shape) {
        return call(() -> delegate.wrap(memory, dtype, shape));
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        run(() -> delegate.copy(src, dst));
    }

    @Override
    public KvCache createKvCache(KvCacheSpec spec, KvScales scales) {
        return call(() -> delegate.createKvCache(spec, scales));
    }

    @Override
    public void append(KvCache cache, Tensor keys, Tensor values, int[] slots) {
        run(() -> delegate.append(cache, keys, values, slots));
    }

    @Override
    public Plan plan(PlanRequest request) {
        return call(() -> delegate.plan(request));
    }

    @Override
    public void run(Plan plan, Tensor query, KvCache cache, Tensor out, Tensor lse) {
        run(() -> delegate.run(plan, query, cache, out, lse));
    }

    @Override
    public void synchronize() {
        run(delegate::synchronize);
    }

    @Override
    public boolean isClosed() {
        return health.isFailed() || delegate.isClosed();
    }

    @Override
    public void close() {
        health.close();
        delegate.close();
    }

    @Override
    public String toString() {
        return delegate.toString();
    }
}
