package dev.attn4j.api;

import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KvCacheSpecTest {

    @Test
    void layoutsIndexAsDocumented() {
        KvCacheSpec nhd = new KvCacheSpec(5, 4, 3, 8, KvDType.INT8, ScaleGranularity.tokenGroup(4), KvLayout.NHD);
        KvCacheSpec hnd = new KvCacheSpec(5, 4, 3, 8, KvDType.INT8, ScaleGranularity.tokenGroup(4), KvLayout.HND);
        assertArrayEquals(new int[] {5, 4, 3, 8}, nhd.cacheShape());
        assertArrayEquals(new int[] {5, 3, 4, 8}, hnd.cacheShape());
        assertEquals(((2 * 4 + 1) * 3 + 2) * 8 + 5, nhd.elementIndex(2, 1, 2, 5));
        assertEquals(((2 * 3 + 2) * 4 + 1) * 8 + 5, hnd.elementIndex(2, 1, 2, 5));
        assertArrayEquals(new int[] {5, 4, 3, 2}, nhd.dynamicScaleShape());
        assertEquals(((2 * 4 + 1) * 3 + 2) * 2 + 1, nhd.dynamicScaleIndex(2, 1, 2, 5));
        assertEquals(((2 * 3 + 2) * 4 + 1) * 2 + 1, hnd.dynamicScaleIndex(2, 1, 2, 5));
    }

    @Test
    void rejectsWhatIsWrongOnItsFace() {
        InvalidRequestException e = assertThrows(InvalidRequestException.class,
                () -> new KvCacheSpec(4, 16, 2, 128, KvDType.INT8, ScaleGranularity.tokenGroup(48), KvLayout.NHD));
        assertEquals("granularity.groupSize", e.field());
        assertEquals("48", e.value());
        assertThrows(InvalidRequestException.class,
                () -> new KvCacheSpec(4, 16, 2, 128, KvDType.BF16, ScaleGranularity.TOKEN, KvLayout.NHD));
        assertThrows(InvalidRequestException.class,
                () -> new KvCacheSpec(-1, 16, 2, 128, KvDType.BF16, ScaleGranularity.NONE, KvLayout.NHD));
        assertThrows(InvalidRequestException.class,
                () -> new KvCacheSpec(1 << 20, 1 << 12, 2, 128, KvDType.BF16, ScaleGranularity.NONE, KvLayout.NHD));
    }

    @Test
    void granularityParsesAndPrints() {
        assertEquals(ScaleGranularity.tokenGroup(32), ScaleGranularity.parse("token_group(32)"));
        assertEquals("TOKEN_GROUP(32)", ScaleGranularity.tokenGroup(32).toString());
        assertEquals(ScaleGranularity.HEAD, ScaleGranularity.parse("head"));
        assertEquals(KvDType.FP8_E4M3, KvDType.parse("fp8-e4m3"));
        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> KvDType.parse("int4"));
        assertTrue(e.getMessage().startsWith("kvDtype=int4: "));
    }

    @Test
    void capabilityCheckReturnsEveryReason() {
        Capabilities caps = Capabilities.builder("test")
                .kvDtypes(EnumSet.of(KvDType.BF16))
                .granularities(EnumSet.of(ScaleGranularity.Kind.NONE))
                .layouts(EnumSet.of(KvLayout.HND))
                .headDims(SupportedInts.of(64, 128))
                .blockSizes(SupportedInts.rangeMultipleOf(8, 256, 8))
                .groupSizes(SupportedInts.range(1, 8))
                .queryDtypes(EnumSet.of(DType.BF16))
                .features(EnumSet.of(Feature.DECODE))
                .build();
        Requirements r = new Requirements(96, 20, 2, KvDType.INT8, ScaleGranularity.TOKEN, KvLayout.NHD, 12,
                DType.FP16, Set.of(Feature.PREFILL, Feature.SOFT_CAP));
        List<String> reasons = caps.check(r).reasons();
        assertEquals(9, reasons.size(), reasons::toString);
        for (String field : List.of("kvDtype=INT8", "granularity=TOKEN", "layout=NHD", "headDim=96", "blockSize=12",
                "groupSize=10", "queryDtype=FP16", "feature=PREFILL", "feature=SOFT_CAP")) {
            assertTrue(reasons.stream().anyMatch(s -> s.startsWith(field)), () -> field + " missing from " + reasons);
        }
        UnsupportedConfigurationException e = assertThrows(UnsupportedConfigurationException.class,
                () -> caps.check(r).orThrow());
        assertEquals(9, e.reasons().size());
        assertTrue(caps.check(new Requirements(64, 4, 2, KvDType.BF16, ScaleGranularity.NONE, KvLayout.HND, 16,
                DType.BF16, Set.of(Feature.DECODE))).supported());
    }

    @Test
    void requirementsRejectUnevenHeads() {
        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> new Requirements(64, 6, 4,
                KvDType.BF16, ScaleGranularity.NONE, KvLayout.NHD, 16, DType.BF16, Set.of()));
        assertEquals("numQoHeads", e.field());
    }
}
