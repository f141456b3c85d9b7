package dev.attn4j.cpu;

import dev.attn4j.api.AttentionBackend;
import dev.attn4j.api.AttentionOptions;
import dev.attn4j.api.AttentionShape;
import dev.attn4j.api.BatchLayout;
import dev.attn4j.api.DType;
import dev.attn4j.api.ExternalMemory;
import dev.attn4j.api.InvalidRequestException;
import dev.attn4j.api.KvCache;
import dev.attn4j.api.KvCacheSpec;
import dev.attn4j.api.KvDType;
import dev.attn4j.api.KvLayout;
import dev.attn4j.api.KvScales;
import dev.attn4j.api.Plan;
import dev.attn4j.api.PlanRequest;
import dev.attn4j.api.ScaleGranularity;
import dev.attn4j.api.Tensor;
import dev.attn4j.api.spi.BackendOptions;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Host memory the cpu backend wraps: a read-only buffer is refused (attn4j writes into wrapped
 * memory), two views of one buffer cannot be the query and the output of one call, and no tensor
 * stays usable once its backend is closed. Each was accepted before.
 */
class CpuWrappedMemoryTest {
    private static final KvCacheSpec SPEC = new KvCacheSpec(4, 4, 1, 8, KvDType.BF16, ScaleGranularity.NONE, KvLayout.NHD);

    @Test
    void aReadOnlyBufferIsNotWrapped() {
        try (AttentionBackend b = new CpuBackendProvider().open(BackendOptions.defaults())) {
            ByteBuffer ro = ByteBuffer.allocate(64).asReadOnlyBuffer();
            InvalidRequestException e = assertThrows(InvalidRequestException.class,
                    () -> b.wrap(ExternalMemory.hostBuffer(ro), DType.BF16, 4, 8));
            assertEquals("memory.buffer", e.field());
            assertTrue(e.getMessage().startsWith("memory.buffer=read-only: "), e.getMessage());
        }
    }

    @Test
    void twoViewsOfOneBufferCannotBeQueryAndOutput() {
        try (AttentionBackend b = new CpuBackendProvider().open(BackendOptions.defaults());
             KvCache cache = b.createKvCache(SPEC);
             Plan plan = b.plan(PlanRequest.decode(AttentionShape.of(SPEC, 2, DType.BF16, AttentionOptions.CAUSAL), BatchLayout.decode(new int[] {3}, new int[][] {{1}})))) {
            ByteBuffer shared = ByteBuffer.allocate(2 * 2 * 8);
            Tensor q = b.wrap(ExternalMemory.hostBuffer(shared), DType.BF16, 1, 2, 8);
            Tensor out = b.wrap(ExternalMemory.hostBuffer(shared), DType.BF16, 1, 2, 8);
            byte[] before = q.toByteArray();
            InvalidRequestException e = assertThrows(InvalidRequestException.class,
                    () -> b.run(plan, q, cache, out));
            assertEquals("out", e.field());
            assertArrayEquals(before, q.toByteArray(), "nothing written");
            // Disjoint slices of one buffer are fine.
            ByteBuffer twice = ByteBuffer.allocate(2 * 2 * 2 * 8);
            Tensor q2 = b.wrap(ExternalMemory.hostBuffer(twice.slice(0, 32)), DType.BF16, 1, 2, 8);
            Tensor out2 = b.wrap(ExternalMemory.hostBuffer(twice.slice(32, 32)), DType.BF16, 1, 2, 8);
            b.run(plan, q2, cache, out2);
        }
    }

    @Test
    void tensorsAreUnusableOnceTheirBackendIsClosed() {
        AttentionBackend b = new CpuBackendProvider().open(BackendOptions.defaults());
        Tensor t = b.allocate(DType.FP32, 4);
        t.copyFrom(new float[] {1, 2, 3, 4});
        b.close();
        assertTrue(t.isClosed());
        InvalidRequestException e = assertThrows(InvalidRequestException.class, t::toFloatArray);
        assertTrue(e.getMessage().contains("its backend cpu is closed"), e.getMessage());
        assertThrows(InvalidRequestException.class, () -> t.copyFrom(new float[4]));
    }
}
