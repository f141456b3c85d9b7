package dev.attn4j.api.support;

import dev.attn4j.api.AttentionBackend;
import dev.attn4j.api.Plan;
import dev.attn4j.api.PlanRequest;

/** Common state of a plan: its request, the validated batch, its backend and the closed flag. */
public abstract class AbstractPlan implements Plan {
    private final PlanRequest request;
    private final ValidatedBatch batch;
    private final AttentionBackend backend;
    private volatile boolean closed;

    protected AbstractPlan(AttentionBackend backend, PlanRequest request, ValidatedBatch batch) {
        this.backend = backend;
        this.request = request;
        this.batch = batch;
    }

    @Override
    public PlanRequest request() {
        return request;
    }

    /** The validated batch this plan was made from. */
    public ValidatedBatch batch() {
        return batch;
    }

    @Override
    public long numTokens() {
        return batch.numTokens();
    }

    @Override
    public AttentionBackend backend() {
        return backend;
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            release();
        }
    }

    /** Frees what the plan holds; called once. */
    protected void release() {
    }
}
