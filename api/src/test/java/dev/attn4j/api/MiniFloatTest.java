package dev.attn4j.api;

import dev.attn4j.api.numeric.Bf16;
import dev.attn4j.api.numeric.MiniFloat;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The number formats: every code round-trips, rounding is nearest-even, overflow saturates or goes to inf. */
class MiniFloatTest {

    @Test
    void everyFiniteCodeRoundTrips() {
        for (MiniFloat f : new MiniFloat[] {MiniFloat.FP8_E4M3, MiniFloat.FP8_E5M2, MiniFloat.FP16}) {
            for (int code = 0; code < (1 << f.bits()); code++) {
                float v = f.toFloat(code);
                if (!Float.isFinite(v)) {
                    continue;
                }
                int back = f.fromFloat(v);
                assertEquals(v, f.toFloat(back), f + " code " + code);
                if (v != 0) {
                    assertEquals(code, back, f + " code " + code);
                }
            }
        }
    }

    @Test
    void knownValues() {
        assertEquals(448f, MiniFloat.FP8_E4M3.toFloat(0x7E));
        assertTrue(Float.isNaN(MiniFloat.FP8_E4M3.toFloat(0x7F)));
        assertEquals(0x7E, MiniFloat.FP8_E4M3.fromFloat(1e9f), "e4m3 saturates at 448");
        assertEquals(0x7E, MiniFloat.FP8_E4M3.fromFloat(Float.POSITIVE_INFINITY), "e4m3 saturates infinity");
        assertEquals(0xFE, MiniFloat.FP8_E4M3.fromFloat(-460f), "e4m3 saturates negative");
        assertEquals(57344f, MiniFloat.FP8_E5M2.toFloat(0x7B));
        assertEquals(0x7B, MiniFloat.FP8_E5M2.fromFloat(1e9f), "e5m2 saturates at 57344");
        assertEquals(0x7C00, MiniFloat.FP16.fromFloat(65520f), "fp16 rounds 65520 to infinity");
        assertEquals(0x7BFF, MiniFloat.FP16.fromFloat(65519f));
        assertEquals((float) Math.pow(2, -9), MiniFloat.FP8_E4M3.toFloat(0x01), "e4m3 smallest subnormal");
        // Ties to even: 1 + 1/16 lies halfway between 1 and 1.125 in e4m3 -> 1 (even mantissa).
        assertEquals(1f, MiniFloat.FP8_E4M3.toFloat(MiniFloat.FP8_E4M3.fromFloat(1.0625f)));
        assertEquals(1.25f, MiniFloat.FP8_E4M3.toFloat(MiniFloat.FP8_E4M3.fromFloat(1.1875f)));
        assertEquals(1f, Bf16.toFloat(Bf16.fromFloat(1.00390625f)), "bf16 tie to even");
        // 1 + 1.5/128 lies halfway between 1 + 1/128 (odd) and 1 + 2/128 (even).
        assertEquals(1.015625f, Bf16.toFloat(Bf16.fromFloat(1.01171875f)), "bf16 tie to even (up)");
    }

    /** The encoding of any float is the nearest code: no other code is closer. */
    @Property(tries = 3000)
    void encodingIsNearest(@ForAll float x) {
        if (!Float.isFinite(x)) {
            return;
        }
        for (MiniFloat f : new MiniFloat[] {MiniFloat.FP8_E4M3, MiniFloat.FP8_E5M2}) {
            double got = f.toFloat(f.fromFloat(x));
            double clamped = Math.max(-f.maxFinite(), Math.min(f.maxFinite(), x));
            double err = Math.abs(got - clamped);
            for (int code = 0; code < 256; code++) {
                float v = f.toFloat(code);
                if (Float.isFinite(v)) {
                    assertTrue(Math.abs(v - clamped) >= err, f + " " + x + " -> " + got + " but " + v + " is closer");
                }
            }
        }
    }

    @Property(tries = 3000)
    void bf16IsNearest(@ForAll float x) {
        if (!Float.isFinite(x) || Math.abs(x) > 3e38f) {
            return;
        }
        short b = Bf16.fromFloat(x);
        double got = Bf16.toFloat(b);
        for (int step : new int[] {-1, 1}) {
            double neighbour = Bf16.toFloat((short) (b + step));
            if (!Double.isNaN(neighbour)) {
                assertTrue(Math.abs(got - x) <= Math.abs(neighbour - x), () -> "bf16 " + x + " -> " + got);
            }
        }
    }
}
