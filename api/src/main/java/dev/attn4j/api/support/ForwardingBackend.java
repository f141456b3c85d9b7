package dev.attn4j.api.support;

import dev.attn4j.api.AttentionBackend;
import dev.attn4j.api.Capabilities;
import dev.attn4j.api.CapabilityCheck;
import dev.attn4j.api.DType;
import dev.attn4j.api.ExternalMemory;
import dev.attn4j.api.KvCache;
import dev.attn4j.api.KvCacheSpec;
import dev.attn4j.api.KvScales;
import dev.attn4j.api.Plan;
import dev.attn4j.api.PlanRequest;
import dev.attn4j.api.Requirements;
import dev.attn4j.api.Tensor;

/**
 * A backend that forwards every call to another (Guava's {@code Forwarding*} pattern): subclass
 * it and override what you want to observe or change, e.g. to count calls or inject faults in
 * tests. Tensors, caches and plans stay the delegate's, so they keep passing its ownership checks.
 */
public abstract class ForwardingBackend implements AttentionBackend {
    protected final AttentionBackend delegate;

    protected ForwardingBackend(AttentionBackend delegate) {
        this.delegate = delegate;
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public Capabilities capabilities() {
        return delegate.capabilities();
    }

    @Override
    public CapabilityCheck check(Requirements requirements) {
        return delegate.check(requirements);
    }

    @Override
    public Tensor allocate(DType dtype, int... shape) {
        return delegate.allocate(dtype, shape);
    }

    @Override
    public Tensor wrap(ExternalMemory memory, DType dtype, int... shape) {
        return delegate.wrap(memory, dtype, shape);
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        delegate.copy(src, dst);
    }

    @Override
    public KvCache createKvCache(KvCacheSpec spec, KvScales scales) {
        return delegate.createKvCache(spec, scales);
    }

    @Override
    public void append(KvCache cache, Tensor keys, Tensor values, int[] slots) {
        delegate.append(cache, keys, values, slots);
    }

    @Override
    public Plan plan(PlanRequest request) {
        return delegate.plan(request);
    }

    @Override
    public void run(Plan plan, Tensor query, KvCache cache, Tensor out, Tensor lse) {
        delegate.run(plan, query, cache, out, lse);
    }

    /** This wrapper if it is a {@code type}, else what the delegate unwraps to. */
    @Override
    public <T> java.util.Optional<T> unwrap(Class<T> type) {
        return type.isInstance(this) ? java.util.Optional.of(type.cast(this)) : delegate.unwrap(type);
    }

    @Override
    public void synchronize() {
        delegate.synchronize();
    }

    @Override
    public boolean isClosed() {
        return delegate.isClosed();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
