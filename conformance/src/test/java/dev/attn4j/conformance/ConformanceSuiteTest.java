package dev.attn4j.conformance;

import dev.attn4j.api.AttentionOptions;
import dev.attn4j.api.AttentionShape;
import dev.attn4j.api.DType;
import dev.attn4j.api.Feature;
import dev.attn4j.api.KvCacheSpec;
import dev.attn4j.api.KvDType;
import dev.attn4j.api.KvLayout;
import dev.attn4j.api.OpKind;
import dev.attn4j.api.Requirements;
import dev.attn4j.api.ScaleGranularity;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The matrix holds what DESIGN.md "Numerics and tests" and the peer-review regressions ask for. */
class ConformanceSuiteTest {
    private final List<ConformanceCase> full = ConformanceSuite.full();

    @Test
    void hundredsOfUniqueCases() {
        Set<String> ids = new HashSet<>();
        full.forEach(c -> assertTrue(ids.add(c.id()), "duplicate id " + c.id()));
        assertTrue(full.size() >= 400, "full suite has " + full.size() + " cases");
        assertTrue(ConformanceSuite.quick().size() >= 6 && ConformanceSuite.quick().size() <= 12);
    }

    @Test
    void everyFormatLayoutAndOperation() {
        for (KvDType t : KvDType.values()) {
            for (ScaleGranularity.Kind g : ScaleGranularity.Kind.values()) {
                if (t.isQuantized() == (g == ScaleGranularity.Kind.NONE)) {
                    continue;
                }
                for (KvLayout l : KvLayout.values()) {
                    for (OpKind op : OpKind.values()) {
                        for (DType q : List.of(DType.BF16, DType.FP16)) {
                            has(c -> c.kvDtype() == t && c.granularity().kind() == g && c.layout() == l && c.op() == op
                                    && (q == DType.BF16 || c.queryDtype() == q), t + "/" + g + "/" + l + "/" + op + "/" + q);
                        }
                    }
                }
            }
        }
    }

    @Test
    void reviewRegressionsArePresent() {
        // HEAD and CHANNEL scales with groups > 1 (indexed by KV head, not query head).
        has(c -> c.granularity() == ScaleGranularity.HEAD && c.numQoHeads() / c.numKvHeads() > 1, "HEAD, group > 1");
        has(c -> c.granularity() == ScaleGranularity.CHANNEL && c.numQoHeads() / c.numKvHeads() > 1, "CHANNEL, group > 1");
        // Group sizes that are not powers of two, and MQA.
        for (int g : new int[] {1, 4, 5, 6, 7, 8}) {
            has(c -> c.numQoHeads() / c.numKvHeads() == g && c.numKvHeads() > 1, "group " + g);
        }
        has(c -> c.numKvHeads() == 1 && c.numQoHeads() == 7, "MQA with 7 query heads");
        // K scale != V scale: V drawn much smaller and much larger than K.
        has(c -> c.vMagnitude() < 0.1 && c.granularity().isCallerSet(), "V << K");
        has(c -> c.vMagnitude() > 10 && c.granularity().isCallerSet(), "V >> K");
        // Block sizes with partial last blocks, shuffled and ordered tables.
        for (int bs : new int[] {1, 16, 64, 256}) {
            has(c -> c.blockSize() == bs && c.shuffleBlocks(), "block size " + bs + " shuffled");
            has(c -> c.blockSize() == bs && !c.shuffleBlocks(), "block size " + bs + " ordered");
            if (bs > 1) {
                has(c -> c.blockSize() == bs && partialLastBlock(c), "block size " + bs + " with a partial last block");
            }
        }
        for (int d : new int[] {64, 80, 96, 128, 256}) {
            has(c -> c.headDim() == d, "head dim " + d);
        }
        has(c -> c.sharedPrefixBlocks() > 0, "shared prefix");
        has(c -> c.op() == OpKind.PREFILL && c.kvLens()[0] > c.qLens()[0], "chunked prefill");
        has(c -> c.numSequences() >= 16, "mixed-length batch");
        has(c -> c.options().slidingWindow().isPresent() && c.options().softCap().isPresent(), "window and soft-cap");
        has(c -> !c.options().causal() && c.op() == OpKind.PREFILL, "non-causal");
        has(c -> !c.withLse(), "no LSE");
        has(c -> c.scaleFactor() < 1, "saturating scales");
    }

    @Test
    void forRequirementsBuildsExactlyThatConfigurationOnEveryPath() {
        KvCacheSpec spec = new KvCacheSpec(1, 32, 3, 96, KvDType.FP8_E5M2, ScaleGranularity.CHANNEL, KvLayout.HND);
        Requirements r = Requirements.of(AttentionShape.of(spec, 21, DType.FP16, AttentionOptions.CAUSAL), Feature.DECODE, Feature.PREFILL, Feature.CHUNKED_PREFILL, Feature.CAUSAL, Feature.SLIDING_WINDOW, Feature.SOFT_CAP, Feature.LSE);
        List<ConformanceCase> cases = ConformanceSuite.forRequirements(r);
        for (ConformanceCase c : cases) {
            Requirements cr = c.requirements();
            assertTrue(r.features().containsAll(cr.features()), c + " needs " + cr.features());
            assertEquals(new Requirements(r.headDim(), r.numQoHeads(), r.numKvHeads(), r.kvDtype(), r.granularity(),
                    r.layout(), r.blockSize(), r.queryDtype(), cr.features()), cr, "the required format and shape");
            assertTrue(c.withLse(), "LSE on every case when required");
        }
        // Every path: split-KV decode, long and partial lengths, chunked and non-chunked prefill, a
        // speculative 2-row chunk, windows 1/7/33 in decode and prefill, the soft-cap, ramping magnitudes.
        java.util.function.Predicate<ConformanceCase> any = c -> true;
        assertTrue(cases.stream().anyMatch(c -> c.op() == OpKind.DECODE && c.kvLens()[0] >= 2 * 256), "split-KV decode");
        assertTrue(cases.stream().anyMatch(ConformanceSuiteTest::partialLastBlock), "partial last blocks");
        assertTrue(cases.stream().anyMatch(c -> c.op() == OpKind.PREFILL && c.qLens()[0] == c.kvLens()[0]
                && c.qLens()[0] > 128), "a prefill over more than one 128-row tile");
        assertTrue(cases.stream().anyMatch(c -> c.op() == OpKind.PREFILL && c.qLens()[c.qLens().length - 1] == 2),
                "a speculative 2-row chunk");
        for (int w : new int[] {1, 7, 33}) {
            for (OpKind op : OpKind.values()) {
                assertTrue(cases.stream().anyMatch(c -> c.op() == op && c.options().slidingWindow().orElse(0) == w),
                        op + " with window " + w);
            }
        }
        assertTrue(cases.stream().filter(any).anyMatch(c -> c.options().softCap().isPresent()
                && c.options().softCap().getAsDouble() <= 2), "a soft-cap small enough to matter");
        assertTrue(cases.stream().anyMatch(c -> c.ramp() > 1), "ramping magnitudes");

        Requirements decodeOnly = Requirements.of(AttentionShape.of(spec, 21, DType.FP16, AttentionOptions.CAUSAL), Feature.DECODE);
        assertTrue(ConformanceSuite.forRequirements(decodeOnly).stream().allMatch(c -> c.op() == OpKind.DECODE
                && c.options().slidingWindow().isEmpty() && c.options().softCap().isEmpty() && !c.withLse()));
    }

    private static boolean partialLastBlock(ConformanceCase c) {
        for (int kv : c.kvLens()) {
            if (kv % c.blockSize() != 0) {
                return true;
            }
        }
        return false;
    }

    private void has(Predicate<ConformanceCase> p, String what) {
        assertTrue(full.stream().anyMatch(p), "no case covers " + what);
    }
}
