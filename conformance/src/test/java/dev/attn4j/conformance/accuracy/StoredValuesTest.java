package dev.attn4j.conformance.accuracy;

import dev.attn4j.api.DType;
import dev.attn4j.api.KvDType;
import dev.attn4j.api.numeric.HalfFormat;
import dev.attn4j.conformance.ReferenceQuantizer;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The report's quantizer stores what the conformance suite requires of append, on fresh random data. */
class StoredValuesTest {
    @Test
    void everyFormatStoresWhatTheReferenceQuantizerAccepts() {
        Random r = new Random(System.nanoTime());
        int heads = 2;
        int dim = 64;
        int tokens = 40;
        double[] x = new double[tokens * heads * dim];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextGaussian() * Math.pow(10, r.nextInt(5) - 2);
        }
        for (KvFormat f : KvFormat.all(dim)) {
            float[] scales = f.granularity().isCallerSet()
                    ? randomScales(r, f.granularity().callerScaleCount(heads, dim)) : new float[0];
            double[] stored = StoredValues.of(f, x, heads, dim, scales);
            for (int i = 0; i < x.length; i++) {
                double in = HalfFormat.round(StoredValues.input(f), (float) x[i]);
                if (!f.dtype().isQuantized()) {
                    assertEquals(in, stored[i], f + " at " + i);
                    continue;
                }
                double s = scaleOf(f, x, stored, scales, i, heads, dim);
                assertTrue(ReferenceQuantizer.accepts(f.dtype(), in, s, stored[i] / s),
                        f + " at " + i + ": " + in + " stored as " + stored[i] + " with scale " + s);
            }
        }
    }

    @Test
    void fp16CachesTakeFp16InputsAndTheRestBf16() {
        assertEquals(DType.FP16, StoredValues.input(KvFormat.parse("fp16")));
        assertEquals(DType.BF16, StoredValues.input(KvFormat.parse("bf16")));
        assertEquals(DType.BF16, StoredValues.input(KvFormat.parse("fp8-e4m3/tensor/absmax")));
        assertEquals(KvDType.INT8, KvFormat.parse("int8").dtype());
    }

    private static float[] randomScales(Random r, int n) {
        float[] s = new float[n];
        for (int i = 0; i < n; i++) {
            s[i] = (float) Math.pow(10, r.nextInt(4) - 3) * (0.5f + r.nextFloat());
        }
        return s;
    }

    /** The scale element i was stored with: the caller's, or its row or group's dynamic one, recomputed. */
    private static double scaleOf(KvFormat f, double[] x, double[] stored, float[] scales, int i, int heads, int dim) {
        int c = i % dim;
        int h = (i / dim) % heads;
        switch (f.granularity().kind()) {
            case TENSOR: return scales[0];
            case HEAD: return scales[h];
            case CHANNEL: return scales[h * dim + c];
            default:
                int g = f.granularity().kind() == dev.attn4j.api.ScaleGranularity.Kind.TOKEN ? dim : f.granularity().groupSize();
                int start = i - (c % g);
                double absmax = 0;
                for (int j = start; j < start + g; j++) {
                    absmax = Math.max(absmax, Math.abs(HalfFormat.round(DType.BF16, (float) x[j])));
                }
                return ReferenceQuantizer.dynamicScale(absmax, f.dtype());
        }
    }
}
