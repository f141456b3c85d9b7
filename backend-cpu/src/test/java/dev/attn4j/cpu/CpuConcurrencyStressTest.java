package dev.attn4j.cpu;

import dev.attn4j.api.AttentionBackend;
import dev.attn4j.api.KvCache;
import dev.attn4j.api.Plan;
import dev.attn4j.api.Tensor;
import dev.attn4j.api.spi.BackendOptions;
import dev.attn4j.api.support.ForwardingBackend;
import dev.attn4j.conformance.ConcurrencyStress;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The test of the concurrency stress the TCK runs on every backend (8 threads sharing it must get
 * one thread's bytes): it catches a backend that shares scratch between calls.
 */
class CpuConcurrencyStressTest {
    private static final long SEED = 0x57E55L;

    /** The test of the test: a backend that stages every output through one shared buffer is caught. */
    @Test
    void aBackendThatSharesScratchBetweenCallsIsCaught() {
        try (AttentionBackend cpu = new CpuBackendProvider().open(BackendOptions.defaults())) {
            ConcurrencyStress.Report report = ConcurrencyStress.run(new SharedScratch(cpu), 8, 30, SEED);
            assertTrue(report.problems().contains("differs from the single-threaded run"), report::toString);
        }
    }

    /** Copies each output into one buffer every call shares, without a lock, and back. */
    private static final class SharedScratch extends ForwardingBackend {
        private final ByteBuffer scratch = ByteBuffer.allocate(1 << 22);

        SharedScratch(AttentionBackend delegate) {
            super(delegate);
        }

        @Override
        public void run(Plan plan, Tensor query, KvCache cache, Tensor out, Tensor lse) {
            super.run(plan, query, cache, out, lse);
            stage(out);
        }

        private void stage(Tensor out) {
            byte[] bytes = out.toByteArray();
            ByteBuffer s = scratch.duplicate();
            s.put(bytes);
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            s.flip();
            s.get(bytes);
            out.copyFrom(bytes);
        }
    }
}
