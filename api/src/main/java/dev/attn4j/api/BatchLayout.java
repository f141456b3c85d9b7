package dev.attn4j.api;

import java.util.ArrayList;
import java.util.List;

/**
 * The host-side description of one step's batch: per sequence, {@code qLen} new query tokens,
 * {@code kvLen} tokens in the cache (prefix plus the new ones, already appended) and its row of
 * block ids. Queries are packed: sequence {@code i}'s tokens are rows
 * {@code [qStart(i), qStart(i) + qLen(i))} of the query tensor.
 *
 * <p><b>Positions and masks.</b> Token {@code j} of a sequence's chunk sits at position
 * {@code kvLen - qLen + j} (bottom-right alignment, as chunked prefill needs) and, when causal,
 * attends to positions {@code <=} its own. Cache position {@code p} is slot
 * {@code blockIds[p / blockSize] * blockSize + p % blockSize}.
 *
 * <p><b>Validation.</b> This class only copies; {@link AttentionBackend#plan} checks it against the
 * cache: {@code 1 <= qLen <= kvLen} (empty sequences are rejected: leave them out of the batch),
 * at least {@code ceil(kvLen / blockSize)} block ids, each referenced id in {@code [0, numBlocks)},
 * at least one sequence. Ids past {@code ceil(kvLen / blockSize)} are padding and never read.
 * Several sequences may reference the same block (shared prefixes).
 */
public final class BatchLayout {
    private final int[] qLens;
    private final int[] kvLens;
    private final int[][] blockIds;

    private BatchLayout(int[] qLens, int[] kvLens, int[][] blockIds) {
        this.qLens = qLens;
        this.kvLens = kvLens;
        this.blockIds = blockIds;
    }

    /** A batch from parallel arrays (copied): per sequence qLen, kvLen and block-id row. */
    public static BatchLayout of(int[] qLens, int[] kvLens, int[][] blockIds) {
        InvalidRequestException.requireNonNull(qLens, "batch.qLens");
        InvalidRequestException.requireNonNull(kvLens, "batch.kvLens");
        InvalidRequestException.requireNonNull(blockIds, "batch.blockIds");
        if (qLens.length != kvLens.length || qLens.length != blockIds.length) {
            throw new InvalidRequestException("batch.numSequences",
                    qLens.length + "/" + kvLens.length + "/" + blockIds.length,
                    "qLens, kvLens and blockIds must have one entry per sequence");
        }
        int[][] rows = new int[blockIds.length][];
        for (int i = 0; i < rows.length; i++) {
            if (blockIds[i] == null) {
                throw new InvalidRequestException("batch.sequence[" + i + "].blockIds", null, "missing block-id row");
            }
            rows[i] = blockIds[i].clone();
        }
        return new BatchLayout(qLens.clone(), kvLens.clone(), rows);
    }

    /** A decode batch: one query token per sequence. */
    public static BatchLayout decode(int[] kvLens, int[][] blockIds) {
        InvalidRequestException.requireNonNull(kvLens, "batch.kvLens");
        int[] q = new int[kvLens.length];
        java.util.Arrays.fill(q, 1);
        return of(q, kvLens, blockIds);
    }

    public static Builder builder() {
        return new Builder();
    }

    public int numSequences() {
        return qLens.length;
    }

    public int qLen(int seq) {
        return qLens[seq];
    }

    public int kvLen(int seq) {
        return kvLens[seq];
    }

    /** A copy of a sequence's block-id row. */
    public int[] blockIds(int seq) {
        return blockIds[seq].clone();
    }

    /** Block id {@code j} of sequence {@code seq}, without copying. */
    public int blockId(int seq, int j) {
        return blockIds[seq][j];
    }

    /** Length of a sequence's block-id row. */
    public int blockRowLength(int seq) {
        return blockIds[seq].length;
    }

    /** Sum of qLen over the batch: rows of the query and output tensors. */
    public long numTokens() {
        long n = 0;
        for (int q : qLens) {
            n += q;
        }
        return n;
    }

    /** First query row of a sequence. */
    public long qStart(int seq) {
        long n = 0;
        for (int i = 0; i < seq; i++) {
            n += qLens[i];
        }
        return n;
    }

    /** Adds sequences one at a time. */
    public static final class Builder {
        private final List<int[]> rows = new ArrayList<>();
        private final List<Integer> q = new ArrayList<>();
        private final List<Integer> kv = new ArrayList<>();

        private Builder() {
        }

        /** Adds a sequence with {@code qLen} new tokens, {@code kvLen} cached tokens and its block ids. */
        public Builder add(int qLen, int kvLen, int... blockIds) {
            q.add(qLen);
            kv.add(kvLen);
            rows.add(InvalidRequestException.requireNonNull(blockIds, "blockIds").clone());
            return this;
        }

        public BatchLayout build() {
            return of(q.stream().mapToInt(Integer::intValue).toArray(),
                    kv.stream().mapToInt(Integer::intValue).toArray(),
                    rows.toArray(new int[0][]));
        }
    }
}
