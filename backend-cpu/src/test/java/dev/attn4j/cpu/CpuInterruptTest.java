package dev.attn4j.cpu;

import dev.attn4j.api.AttentionBackend;
import dev.attn4j.api.AttentionOptions;
import dev.attn4j.api.AttentionShape;
import dev.attn4j.api.Attn4jException;
import dev.attn4j.api.BatchLayout;
import dev.attn4j.api.DType;
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

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A decode whose thread is interrupted throws promptly, with the interrupt flag kept, and nothing
 * writes its output after it returned: the workers it started are waited for, none is left behind.
 * Before, the call threw within milliseconds and the pool went on writing the output for seconds.
 */
class CpuInterruptTest {
    private static final short POISON = (short) 0x7FC1;

    @Test
    void anInterruptedDecodeWritesNothingAfterItThrew() throws Exception {
        int seqs = 8;
        int kvLen = 16_384;
        int blockSize = 16;
        KvCacheSpec spec = new KvCacheSpec(seqs * kvLen / blockSize, blockSize, 8, 128, KvDType.INT8,
                ScaleGranularity.TOKEN, KvLayout.NHD);
        int[] kvLens = new int[seqs];
        int[][] blocks = new int[seqs][kvLen / blockSize];
        for (int s = 0; s < seqs; s++) {
            kvLens[s] = kvLen;
            for (int j = 0; j < blocks[s].length; j++) {
                blocks[s][j] = s * blocks[s].length + j;
            }
        }
        try (AttentionBackend b = new CpuBackendProvider().open(BackendOptions.builder().threads(2).build());
             KvCache cache = b.createKvCache(spec);
             Plan plan = b.plan(PlanRequest.decode(AttentionShape.of(spec, 32, DType.BF16, AttentionOptions.CAUSAL), BatchLayout.decode(kvLens, blocks)));
             Tensor q = b.allocate(DType.BF16, seqs, 32, 128);
             Tensor out = b.allocate(DType.BF16, seqs, 32, 128)) {
            short[] poison = new short[seqs * 32 * 128];
            Arrays.fill(poison, POISON);
            out.copyFrom(poison);
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            AtomicReference<short[]> atThrow = new AtomicReference<>();
            AtomicReference<Boolean> flagKept = new AtomicReference<>();
            Thread caller = new Thread(() -> {
                try {
                    b.run(plan, q, cache, out);
                } catch (Throwable t) {
                    thrown.set(t);
                    flagKept.set(Thread.currentThread().isInterrupted());
                    atThrow.set(out.toShortArray());
                }
            });
            caller.start();
            Thread.sleep(5);
            caller.interrupt();
            caller.join();
            assertNotNull(thrown.get(), "the decode finished before the interrupt: make it larger");
            assertInstanceOf(Attn4jException.class, thrown.get());
            assertTrue(flagKept.get(), "the interrupt flag is set again");
            Thread.sleep(1500);   // long enough for a left-behind worker to write more rows
            assertArrayEquals(atThrow.get(), out.toShortArray(), "the output changed after decode threw");
        }
    }
}
