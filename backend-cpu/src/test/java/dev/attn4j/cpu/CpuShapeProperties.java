package dev.attn4j.cpu;

import dev.attn4j.api.AttentionOptions;
import dev.attn4j.api.DType;
import dev.attn4j.api.KvDType;
import dev.attn4j.api.KvLayout;
import dev.attn4j.api.OpKind;
import dev.attn4j.api.ScaleGranularity;
import dev.attn4j.conformance.CaseResult;
import dev.attn4j.conformance.CaseRunner;
import dev.attn4j.conformance.ConformanceCase;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Random shapes the matrix does not list: any head dim (even odd ones), any block size, any group
 * size, any format, options and batch, any thread count and split length. Each must pass the same
 * checks as the conformance suite.
 */
class CpuShapeProperties {
    private static final ConcurrentHashMap<Integer, CpuBackend> BACKENDS = new ConcurrentHashMap<>();

    @AfterContainer
    static void close() {
        BACKENDS.values().forEach(CpuBackend::close);
    }

    @Property(tries = 120)
    void randomShapesMatchTheReference(@ForAll("cases") ConformanceCase c, @ForAll("threads") int threads,
                                       @ForAll("splits") int minSplit, @ForAll long seed) {
        CpuBackend b = BACKENDS.computeIfAbsent(threads * 1000 + minSplit, k -> new CpuBackend(threads, minSplit));
        CaseResult r = CaseRunner.run(b, c, seed);
        assertEquals(CaseResult.Status.PASSED, r.status(), r::toString);
    }

    @Provide
    Arbitrary<Integer> threads() {
        return Arbitraries.of(1, 2, 3, 7);
    }

    @Provide
    Arbitrary<Integer> splits() {
        return Arbitraries.of(1, 5, 16, 256);
    }

    @Provide
    Arbitrary<ConformanceCase> cases() {
        Arbitrary<Integer> headDim = Arbitraries.integers().between(1, 160);
        Arbitrary<Integer> kvHeads = Arbitraries.integers().between(1, 3);
        Arbitrary<Integer> group = Arbitraries.integers().between(1, 9);
        Arbitrary<Integer> blockSize = Arbitraries.integers().between(1, 40);
        Arbitrary<Integer> format = Arbitraries.integers().between(0, 16);
        Arbitrary<KvLayout> layout = Arbitraries.of(KvLayout.values());
        Arbitrary<DType> qType = Arbitraries.of(DType.BF16, DType.FP16);
        Arbitrary<List<Integer>> kvLens = Arbitraries.integers().between(1, 90).list().ofMinSize(1).ofMaxSize(4);
        Arbitrary<Integer> option = Arbitraries.integers().between(0, 5);
        Arbitrary<Boolean> decode = Arbitraries.of(true, false);
        return Combinators.combine(headDim, kvHeads, group, blockSize, format, layout, qType, kvLens)
                .as((d, h, g, bs, f, l, q, kv) -> new Object[] {d, h, g, bs, f, l, q, kv})
                .flatMap(a -> Combinators.combine(option, decode, Arbitraries.integers().between(1, 90))
                        .as((o, dec, qFrac) -> build(a, o, dec, qFrac)));
    }

    @SuppressWarnings("unchecked")
    private static ConformanceCase build(Object[] a, int option, boolean decode, int qFrac) {
        int d = (Integer) a[0];
        int h = (Integer) a[1];
        int g = (Integer) a[2];
        int[] kv = ((List<Integer>) a[7]).stream().mapToInt(Integer::intValue).toArray();
        int[] q = new int[kv.length];
        for (int i = 0; i < kv.length; i++) {
            q[i] = decode ? 1 : Math.max(1, kv[i] * qFrac / 90);
        }
        ConformanceCase.Builder b = ConformanceCase.builder().tag("property").headDim(d).heads(h * g, h)
                .blockSize((Integer) a[3]).layout((KvLayout) a[5]).queryDtype((DType) a[6])
                .options(options(option)).lens(q, kv).op(decode ? OpKind.DECODE : OpKind.PREFILL);
        int f = (Integer) a[4];
        if (f < 2) {
            b.format(f == 0 ? KvDType.BF16 : KvDType.FP16, ScaleGranularity.NONE);
            if (f == 1) {
                b.queryDtype(DType.FP16);
            }
        } else {
            KvDType t = List.of(KvDType.INT8, KvDType.FP8_E4M3, KvDType.FP8_E5M2).get((f - 2) / 5);
            int kind = (f - 2) % 5;
            ScaleGranularity gran = kind == 0 ? ScaleGranularity.TENSOR : kind == 1 ? ScaleGranularity.HEAD
                    : kind == 2 ? ScaleGranularity.CHANNEL : kind == 3 ? ScaleGranularity.TOKEN
                    : ScaleGranularity.tokenGroup(largestDivisorUpTo(d, 8));
            b.format(t, gran);
        }
        return b.build();
    }

    private static AttentionOptions options(int o) {
        switch (o) {
            case 1: return AttentionOptions.NON_CAUSAL;
            case 2: return AttentionOptions.builder().slidingWindow(5).build();
            case 3: return AttentionOptions.builder().softCap(4).build();
            case 4: return AttentionOptions.builder().causal(false).slidingWindow(9).softmaxScale(0.3).build();
            default: return AttentionOptions.CAUSAL;
        }
    }

    private static int largestDivisorUpTo(int n, int max) {
        for (int g = Math.min(n, max); g > 1; g--) {
            if (n % g == 0) {
                return g;
            }
        }
        return 1;
    }
}
