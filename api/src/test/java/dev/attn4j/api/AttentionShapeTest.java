package dev.attn4j.api;

import org.junit.jupiter.api.Test;

import java.util.EnumSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The layer shape is said once and Requirements and plans read it, option features included. */
class AttentionShapeTest {
    private static final KvCacheSpec SPEC = new KvCacheSpec(8, 16, 2, 64, KvDType.INT8, ScaleGranularity.TOKEN,
            KvLayout.NHD);

    @Test
    void requirementsTakeTheShapeAndTheFeaturesItsOptionsUse() {
        AttentionOptions windowed = AttentionOptions.builder().slidingWindow(128).softCap(30).build();
        Requirements r = Requirements.of(AttentionShape.of(SPEC, 8, DType.FP16, windowed), Feature.DECODE);
        assertEquals(EnumSet.of(Feature.DECODE, Feature.CAUSAL, Feature.SLIDING_WINDOW, Feature.SOFT_CAP), r.features());
        assertEquals(64, r.headDim());
        assertEquals(4, r.groupSize());
        assertEquals(DType.FP16, r.queryDtype());
        assertEquals(EnumSet.of(Feature.PREFILL, Feature.NON_CAUSAL),
                Requirements.of(AttentionShape.of(SPEC, 2, DType.BF16, AttentionOptions.NON_CAUSAL), Feature.PREFILL)
                        .features());
    }

    @Test
    void aPlanRequestReadsItsShape() {
        AttentionShape shape = AttentionShape.of(SPEC, 8, DType.BF16, AttentionOptions.CAUSAL);
        PlanRequest p = PlanRequest.decode(shape, BatchLayout.decode(new int[] {5}, new int[][] {{1}}));
        assertEquals(OpKind.DECODE, p.kind());
        assertSame(SPEC, p.cacheSpec());
        assertEquals(8, p.numQoHeads());
        assertEquals(DType.BF16, p.queryDtype());
        assertSame(AttentionOptions.CAUSAL, p.options());
        assertSame(AttentionOptions.NON_CAUSAL, shape.withOptions(AttentionOptions.NON_CAUSAL).options());
    }

    @Test
    void badShapesNameTheirField() {
        InvalidRequestException e = assertThrows(InvalidRequestException.class,
                () -> AttentionShape.of(SPEC, 3, DType.BF16, AttentionOptions.CAUSAL));
        assertTrue(e.getMessage().startsWith("numQoHeads=3"), e.getMessage());
        assertTrue(assertThrows(InvalidRequestException.class,
                () -> AttentionShape.of(null, 8, DType.BF16, AttentionOptions.CAUSAL)).getMessage().startsWith("cache="));
        assertTrue(assertThrows(InvalidRequestException.class,
                () -> AttentionShape.of(SPEC, 8, DType.BF16, null)).getMessage().startsWith("options="));
        assertTrue(assertThrows(InvalidRequestException.class,
                () -> Requirements.of(null, Feature.DECODE)).getMessage().startsWith("shape="));
    }
}
