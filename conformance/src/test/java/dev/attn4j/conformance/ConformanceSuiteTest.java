package dev.attn4j.conformance;

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
    void forRequirementsBuildsExactlyThatConfiguration() {
        KvCacheSpec spec = new KvCacheSpec(1, 32, 3, 96, KvDType.FP8_E5M2, ScaleGranularity.CHANNEL, KvLayout.HND);
        Requirements r = Requirements.of(spec, 21, DType.FP16, Feature.DECODE, Feature.SOFT_CAP, Feature.LSE);
        List<ConformanceCase> cases = ConformanceSuite.forRequirements(r);
        assertEquals(1, cases.size());
        ConformanceCase c = cases.get(0);
        assertEquals(OpKind.DECODE, c.op());
        assertEquals(r, c.requirements());
        assertEquals(2, ConformanceSuite.forRequirements(Requirements.of(spec, 3, DType.BF16)).size());
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
