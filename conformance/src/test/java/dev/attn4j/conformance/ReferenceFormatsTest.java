package dev.attn4j.conformance;

import dev.attn4j.api.DType;
import dev.attn4j.api.KvDType;
import dev.attn4j.api.numeric.HalfFormat;
import dev.attn4j.api.numeric.MiniFloat;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The reference's formats agree with the api's on every code, though written independently. */
class ReferenceFormatsTest {

    @Test
    void decodingAgreesOnEveryCode() {
        for (int code = 0; code < 256; code++) {
            assertSame(ReferenceFormats.fp8(KvDType.FP8_E4M3, code), MiniFloat.FP8_E4M3.toFloat(code), code);
            assertSame(ReferenceFormats.fp8(KvDType.FP8_E5M2, code), MiniFloat.FP8_E5M2.toFloat(code), code);
        }
        for (int bits = 0; bits < 65536; bits++) {
            assertSame(ReferenceFormats.half(DType.FP16, (short) bits), HalfFormat.toFloat(DType.FP16, (short) bits), bits);
            assertSame(ReferenceFormats.half(DType.BF16, (short) bits), HalfFormat.toFloat(DType.BF16, (short) bits), bits);
        }
    }

    @Test
    void nearestAgreesWithTheApiEncoder() {
        Random rnd = new Random(3);
        for (int i = 0; i < 20000; i++) {
            float x = (float) (rnd.nextGaussian() * Math.pow(10, rnd.nextInt(9) - 4));
            assertEquals(MiniFloat.FP8_E4M3.toFloat(MiniFloat.FP8_E4M3.fromFloat(x)),
                    ReferenceFormats.nearestFp8(KvDType.FP8_E4M3, x), 0, "e4m3 " + x);
            assertEquals(MiniFloat.FP8_E5M2.toFloat(MiniFloat.FP8_E5M2.fromFloat(x)),
                    ReferenceFormats.nearestFp8(KvDType.FP8_E5M2, x), 0, "e5m2 " + x);
        }
    }

    @Test
    void quantizerAcceptsOnlyTheNearestCodeOrATieNeighbour() {
        assertTrue(ReferenceQuantizer.accepts(KvDType.INT8, 2.5, 1, 2));
        assertTrue(ReferenceQuantizer.accepts(KvDType.INT8, 2.5, 1, 3), "a tie may round either way in float32");
        assertFalse(ReferenceQuantizer.accepts(KvDType.INT8, 2.4, 1, 3));
        assertTrue(ReferenceQuantizer.accepts(KvDType.INT8, 1000, 1, 127), "saturates");
        assertFalse(ReferenceQuantizer.accepts(KvDType.INT8, -1000, 1, -128), "never -128");
        assertEquals(1f, ReferenceQuantizer.dynamicScale(0, KvDType.INT8));
        assertEquals(Float.MIN_NORMAL, ReferenceQuantizer.dynamicScale(1e-40, KvDType.FP8_E4M3));
    }

    private static void assertSame(double a, float b, int code) {
        if (Double.isNaN(a)) {
            assertTrue(Float.isNaN(b), "code " + code);
        } else {
            assertEquals(a, b, 0, "code " + code);
        }
    }
}
