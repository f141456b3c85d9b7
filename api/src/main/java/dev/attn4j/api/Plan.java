package dev.attn4j.api;

/**
 * A validated, device-ready schedule for one step (FlashInfer's plan/run split): made once by
 * {@link AttentionBackend#plan} from a {@link PlanRequest}, then run for every layer by
 * {@link AttentionBackend#run(Plan, Tensor, KvCache, Tensor)}, prefill or decode as it was made. Everything about the batch
 * was checked when the plan was made, so running it only checks the tensors.
 *
 * <p>A plan belongs to the backend that made it and is immutable; closing it frees its metadata
 * and workspace. Closing is idempotent; a closed plan is rejected.
 */
public interface Plan extends AutoCloseable {

    /** The request this plan was made from. */
    PlanRequest request();

    default OpKind kind() {
        return request().kind();
    }

    /** Rows of the query, output and LSE tensors. */
    long numTokens();

    /**
     * Device (or host, for cpu) bytes of work buffers this plan holds or will use per run:
     * split-KV partial outputs and LSEs, staging. Bounded by the plan's shape, never by the cache.
     */
    long workspaceBytes();

    /** A short description of the schedule chosen (splits, tiles, paths), for logs and reports. */
    String describe();

    AttentionBackend backend();

    boolean isClosed();

    @Override
    void close();
}
