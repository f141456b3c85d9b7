package dev.attn4j.cli;

import dev.attn4j.api.KvDType;
import dev.attn4j.api.ScaleGranularity;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The byte and FLOP counts the bench divides by, checked by hand for each granularity kind. */
class BenchFiguresTest {

    private static BenchConfig config(ModelShape preset, KvDType kv, ScaleGranularity g, int batch, int context, int prefill) {
        return new BenchConfig(BenchShape.of(preset), kv, g, 16, batch, context, prefill, 1, 3);
    }

    @Test
    void decodeBytesCountKvOnceAndDynamicScales() {
        long tokens = 4L * 1024;
        // INT8 TOKEN: 1 byte per element, one fp32 scale per token and KV head, for K and for V.
        assertEquals(tokens * 8 * 128 * 2 + tokens * 8 * 2 * 4,
                config(ModelShape.LLAMA3_8B, KvDType.INT8, ScaleGranularity.TOKEN, 4, 1024, 512).decodeBytes());
        // TOKEN_GROUP(32) at d=128: 4 scales per token and head.
        assertEquals(tokens * 8 * 128 * 2 + tokens * 8 * 4 * 2 * 4,
                config(ModelShape.LLAMA3_8B, KvDType.INT8, ScaleGranularity.tokenGroup(32), 4, 1024, 512).decodeBytes());
        // FP8 TENSOR: caller scales only, not counted.
        assertEquals(tokens * 8 * 128 * 2,
                config(ModelShape.LLAMA3_8B, KvDType.FP8_E4M3, ScaleGranularity.TENSOR, 4, 1024, 512).decodeBytes());
        // BF16: 2 bytes per element; gemma2 has 8 KV heads of 256.
        assertEquals(tokens * 8 * 256 * 2 * 2,
                config(ModelShape.GEMMA2_9B, KvDType.BF16, ScaleGranularity.NONE, 4, 1024, 512).decodeBytes());
    }

    /** The cpu read ceiling is measured twice (first, the JIT may still hold a core); the faster stands. */
    @Test
    void theFasterOfTwoReadCeilingsStands() {
        ReadCeiling slow = new ReadCeiling(64L << 20, 3.1e9);
        ReadCeiling fast = new ReadCeiling(64L << 20, 31e9);
        assertEquals(31.0, ReadCeiling.higher(slow, fast).gbPerSecond(), 1e-9);
        assertEquals(31.0, ReadCeiling.higher(fast, slow).gbPerSecond(), 1e-9);
        assertEquals(3.1, ReadCeiling.higher(slow, null).gbPerSecond(), 1e-9);
    }

    @Test
    void prefillFlopsCountOnlyTheUnmaskedHalf() {
        assertEquals(4L * 512 * 512 / 2 * 32 * 128,
                config(ModelShape.LLAMA3_8B, KvDType.INT8, ScaleGranularity.TOKEN, 1, 1, 512).prefillFlops());
        assertEquals(4L * 1000 * 1000 / 2 * 28 * 128,
                config(ModelShape.QWEN2_7B, KvDType.INT8, ScaleGranularity.TOKEN, 1, 1, 1000).prefillFlops());
        // A 128k-token prompt on a 70B shape must not overflow.
        assertEquals(4L * 131072 * 131072 / 2 * 64 * 128,
                config(ModelShape.LLAMA3_70B, KvDType.INT8, ScaleGranularity.TOKEN, 1, 1, 131072).prefillFlops());
    }

    @Test
    void defaultGranularityFollowsTheDtype() {
        assertEquals(ScaleGranularity.TOKEN, BenchConfig.defaultGranularity(KvDType.INT8));
        assertEquals(ScaleGranularity.TENSOR, BenchConfig.defaultGranularity(KvDType.FP8_E4M3));
        assertEquals(ScaleGranularity.TENSOR, BenchConfig.defaultGranularity(KvDType.FP8_E5M2));
        assertEquals(ScaleGranularity.NONE, BenchConfig.defaultGranularity(KvDType.FP16));
    }

    @Test
    void modelShapesMatchTheirConfigs() {
        assertEquals(64, ModelShape.parse("llama3-70b").numQoHeads);
        assertEquals(4, ModelShape.parse("qwen2-7b").numKvHeads);
        assertEquals(256, ModelShape.parse("gemma2-9b").headDim);
        assertEquals(50.0, BenchShape.of(ModelShape.parse("gemma2-9b")).options().softCap().orElse(0), 0);
        assertThrows(dev.attn4j.api.InvalidRequestException.class, () -> ModelShape.parse("gpt-5"));
    }

    @Test
    void jsonWritesNonFiniteAsNull() {
        assertEquals("{\"a\":null,\"b\":1.5,\"c\":\"x\\\"y\",\"d\":null}",
                Json.object().put("a", Double.NaN).put("b", 1.5).put("c", "x\"y").put("d", null).toString());
    }

    @Test
    void anyShapeOnTopOfAModel() {
        BenchShape s = BenchShape.of(ModelShape.LLAMA3_8B).with(BenchShape.parseHeads("28/4"), 64, 30.0, 512,
                dev.attn4j.api.KvLayout.HND);
        assertEquals("custom 28/4 d64 cap30.0 window512 HND", s.id);
        BenchConfig c = new BenchConfig(s, KvDType.INT8, ScaleGranularity.TOKEN, 16, 2, 100, 10, 0, 1);
        assertEquals(dev.attn4j.api.KvLayout.HND, c.spec(8).layout());
        assertEquals(7, c.requirements().groupSize());
        assertEquals(java.util.Set.of(dev.attn4j.api.Feature.PREFILL, dev.attn4j.api.Feature.DECODE,
                dev.attn4j.api.Feature.CAUSAL, dev.attn4j.api.Feature.SOFT_CAP, dev.attn4j.api.Feature.SLIDING_WINDOW),
                c.requirements().features());
        assertEquals(512, s.options().slidingWindow().getAsInt());
        // bytes: 2 x 100 tokens x 4 KV heads x 64 dims x K,V + one fp32 scale per token, head, K/V
        assertEquals(2L * 100 * 4 * 64 * 2 + 2L * 100 * 4 * 2 * 4, c.decodeBytes());
        assertEquals("llama3-8b", BenchShape.of(ModelShape.LLAMA3_8B).with(null, 128, null, null, null).id);
        assertThrows(dev.attn4j.api.InvalidRequestException.class, () -> BenchShape.parseHeads("28x4"));
        assertThrows(dev.attn4j.api.InvalidRequestException.class,
                () -> BenchShape.of(ModelShape.LLAMA3_8B).with(new int[] {30, 4}, null, null, null, null));
    }
}
