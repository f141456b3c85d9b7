package dev.attn4j.api;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KvCalibrationTest {
    /** 2 tokens x 2 heads x 3 channels, by hand: token 0 then token 1, head 0 then head 1. */
    private static final float[] K = {
        1, -2, 3, /* h1 */ 10, 0, -0.5f,
        -4, 0.5f, 1, /* h1 */ 2, -20, 0.25f};
    private static final float[] V = {
        0.1f, 0.2f, -0.3f, /* h1 */ 0, 0, 0,
        0.4f, -0.1f, 0, /* h1 */ 0, 0, 0};

    @Test
    void absmaxScalesByHandPerTensorHeadAndChannel() {
        KvCalibration c = KvCalibration.absmax();
        KvScales t = c.scales(KvDType.INT8, ScaleGranularity.TENSOR, 2, 3, K, V);
        assertArrayEquals(new float[] {20f / 127}, t.k());
        assertArrayEquals(new float[] {0.4f / 127}, t.v());
        KvScales h = c.scales(KvDType.FP8_E4M3, ScaleGranularity.HEAD, 2, 3, K, V);
        assertArrayEquals(new float[] {4f / 448, 20f / 448}, h.k());
        // A head whose samples are all 0 gets scale 1, as append's dynamic scales do.
        assertArrayEquals(new float[] {(float) (0.4f / 448.0), 1f}, h.v());
        KvScales ch = c.scales(KvDType.FP8_E5M2, ScaleGranularity.CHANNEL, 2, 3, K, V);
        assertArrayEquals(new float[] {4f / 57344, 2f / 57344, 3f / 57344, 10f / 57344, 20f / 57344, 0.5f / 57344},
                ch.k());
        assertArrayEquals(new float[] {(float) (0.4f / 57344.0), (float) (0.2f / 57344.0), (float) (0.3f / 57344.0),
            1, 1, 1}, ch.v());
    }

    @Test
    void percentileIsTheNearestRankOfTheMagnitudes() {
        // K's 12 magnitudes sorted: 0, 0.25, 0.5, 0.5, 1, 1, 2, 2, 3, 4, 10, 20.
        // p50: rank ceil(6) = 6th smallest = 1; p90: ceil(10.8) = 11th = 10; p1: ceil(0.12) = 1st = 0 -> scale 1.
        assertArrayEquals(new float[] {1f / 127}, KvCalibration.percentile(50).scales(KvDType.INT8,
                ScaleGranularity.TENSOR, 2, 3, K, V).k());
        assertArrayEquals(new float[] {10f / 127}, KvCalibration.percentile(90).scales(KvDType.INT8,
                ScaleGranularity.TENSOR, 2, 3, K, V).k());
        assertArrayEquals(new float[] {1f}, KvCalibration.percentile(1).scales(KvDType.INT8,
                ScaleGranularity.TENSOR, 2, 3, K, V).k());
        assertArrayEquals(KvCalibration.absmax().scales(KvDType.INT8, ScaleGranularity.HEAD, 2, 3, K, V).k(),
                KvCalibration.percentile(100).scales(KvDType.INT8, ScaleGranularity.HEAD, 2, 3, K, V).k());
    }

    @Test
    void selectionMatchesSortingOnRandomData() {
        Random r = new Random(11);
        for (int trial = 0; trial < 200; trial++) {
            float[] a = new float[1 + r.nextInt(300)];
            for (int i = 0; i < a.length; i++) {
                a[i] = r.nextInt(4) == 0 ? r.nextInt(5) : (float) Math.abs(r.nextGaussian());   // with ties
            }
            float[] sorted = a.clone();
            Arrays.sort(sorted);
            int k = r.nextInt(a.length);
            assertEquals(sorted[k], KvCalibration.select(a.clone(), k), "k=" + k + " of " + a.length);
        }
    }

    @Test
    void tinyStatisticsClampToTheSmallestNormalFloat() {
        float[] tiny = {1e-42f, 0, 0, 0};
        KvScales s = KvCalibration.absmax().scales(KvDType.INT8, ScaleGranularity.TENSOR, 1, 4, tiny, tiny);
        assertEquals(Float.MIN_NORMAL, s.k(0));
    }

    @Test
    void theSpecOverloadUsesItsShapeAndTheResultValidatesForIt() {
        KvCacheSpec spec = KvCacheSpec.builder().numBlocks(1).blockSize(16).numKvHeads(2).headDim(3)
                .kvDtype(KvDType.INT8).granularity(ScaleGranularity.CHANNEL).layout(KvLayout.NHD).build();
        KvScales s = KvCalibration.absmax().scales(spec, K, V);
        s.validateFor(spec);
        assertEquals(6, s.size());
    }

    @Test
    void badSamplesAreRejectedNamingTheField() {
        KvCalibration c = KvCalibration.absmax();
        assertField("keys.length", () -> c.scales(KvDType.INT8, ScaleGranularity.TENSOR, 2, 3, new float[0], V));
        assertField("values.length", () -> c.scales(KvDType.INT8, ScaleGranularity.TENSOR, 2, 3, K, new float[7]));
        float[] nan = K.clone();
        nan[4] = Float.NaN;
        assertField("keys[4]", () -> c.scales(KvDType.INT8, ScaleGranularity.TENSOR, 2, 3, nan, V));
        float[] inf = V.clone();
        inf[11] = Float.NEGATIVE_INFINITY;
        assertField("values[11]", () -> c.scales(KvDType.INT8, ScaleGranularity.HEAD, 2, 3, K, inf));
        assertField("keys", () -> c.scales(KvDType.INT8, ScaleGranularity.TENSOR, 2, 3, null, V));
        assertField("granularity", () -> c.scales(KvDType.INT8, ScaleGranularity.TOKEN, 2, 3, K, V));
        assertField("kvDtype", () -> c.scales(KvDType.BF16, ScaleGranularity.TENSOR, 2, 3, K, V));
        assertField("numKvHeads", () -> c.scales(KvDType.INT8, ScaleGranularity.TENSOR, 0, 3, K, V));
        assertField("percentile", () -> KvCalibration.percentile(0));
        assertField("percentile", () -> KvCalibration.percentile(Double.NaN));
        assertField("percentile", () -> KvCalibration.percentile(100.5));
    }

    private static void assertField(String field, Runnable call) {
        InvalidRequestException e = assertThrows(InvalidRequestException.class, call::run);
        assertEquals(field, e.field(), e.getMessage());
        assertTrue(e.getMessage().contains(field), e.getMessage());
    }
}
