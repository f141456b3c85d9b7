package dev.attn4j.cpu;

import dev.attn4j.api.numeric.Bf16;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Vector API loops against the scalar ones, on lengths with and without tails. */
class LanesTest {
    private static final int[] LENGTHS = {1, 7, 8, 15, 16, 33, 64, 128, 130, 256};
    private final Lanes vector = Lanes.choose(true);
    private final Lanes scalar = ScalarLanes.INSTANCE;
    private final SplittableRandom rnd = new SplittableRandom(7);

    @Test
    void theBuildsTestJvmsRunTheVectorLoops() {
        // The test JVMs get --add-modules jdk.incubator.vector (the parent pom): were the vector
        // loops not chosen here, CpuConformanceTest would test the scalar ones twice, silently.
        assertInstanceOf(VectorLanes.class, vector, "lanes chosen: " + vector.describe());
        assertTrue(Lanes.scalarReason(ScalarLanes.INSTANCE, false).contains("attn4j.cpu.vector=false"));
    }

    @Test
    void dotAxpyScaleMultiplyAndExpAgreeWithTheScalarLoops() {
        for (int n : LENGTHS) {
            float[] a = random(n + 3);
            float[] b = random(n + 5);
            float dv = vector.dot(a, 3, b, 5, n);
            float ds = scalar.dot(a, 3, b, 5, n);
            assertEquals(ds, dv, 1e-5f * n, "dot n=" + n);

            float[] yv = random(n + 2);
            float[] ys = yv.clone();
            vector.axpy(0.75f, a, 3, yv, 2, n);
            scalar.axpy(0.75f, a, 3, ys, 2, n);
            assertClose(ys, yv, 1e-6f, "axpy n=" + n);
            vector.scale(yv, 2, n, -1.5f);
            scalar.scale(ys, 2, n, -1.5f);
            assertClose(ys, yv, 1e-6f, "scale n=" + n);
            vector.multiply(yv, 2, b, 5, n);
            scalar.multiply(ys, 2, b, 5, n);
            assertClose(ys, yv, 1e-6f, "multiply n=" + n);

            float[] ev = random(n + 4);
            float[] es = ev.clone();
            float sv = vector.expShifted(ev, 4, n + 4, 0.5f);
            float ss = scalar.expShifted(es, 4, n + 4, 0.5f);
            assertEquals(ss, sv, 1e-5f * Math.abs(ss), "exp sum n=" + n);
            assertClose(es, ev, 2e-6f, "exp n=" + n);
        }
    }

    @Test
    void manyRowDotsAndAxpysAgreeWithTheScalarLoops() {
        for (int d : new int[] {8, 64, 96, 128, 130}) {
            for (int rows : new int[] {1, 3, 4, 7, 8, 32}) {
                float[] q = random(rows * d);
                float[] k = random(d + 6);
                float[] vOut = new float[rows * 5 + 2];
                float[] sOut = new float[rows * 5 + 2];
                vector.dots(q, rows, d, k, 6, vOut, 2, 5);
                scalar.dots(q, rows, d, k, 6, sOut, 2, 5);
                assertClose(sOut, vOut, 1e-5f * d, "dots d=" + d + " rows=" + rows);

                float[] p = random(rows * 3 + 1);
                p[1] = 0f;   // a row that does not see the token
                float[] v = random(d + 4);
                v[4] = Float.POSITIVE_INFINITY;
                float[] va = random(rows * d);
                float[] sa = va.clone();
                vector.axpys(p, 1, 3, rows, v, 4, va, d);
                scalar.axpys(p, 1, 3, rows, v, 4, sa, d);
                assertTrue(Float.isFinite(va[0]) && Float.isFinite(sa[0]), "a zero weight adds nothing, inf included");
                assertClose(sa, va, 1e-6f, "axpys d=" + d + " rows=" + rows);
            }
        }
    }

    @Test
    void theFmaChainsDoTheMultiplyAddsTheCeilingCounts() {
        // Every lane of every vector chain runs the scalar chain's arithmetic: the sum over the
        // lanes is fmaWidth() times the scalar sum, so fmaWidth() FMAs per chain and round were done.
        float s = scalar.fmaChains(1000);
        float v = vector.fmaChains(1000);
        assertEquals(s * vector.fmaWidth(), v, 1e-5f * Math.abs(s * vector.fmaWidth()));
        try (CpuBackend b = new CpuBackend(1, 256, vector)) {
            double f = b.fmaFlopsPerSecond().orElseThrow();
            assertTrue(Double.isFinite(f) && f > 0, "fma rate " + f);
        }
    }

    @Test
    void int8AndBf16RowsWidenExactly() {
        for (int n : LENGTHS) {
            ByteBuffer bytes = ByteBuffer.allocate(n + 9).order(ByteOrder.LITTLE_ENDIAN);
            ByteBuffer halves = ByteBuffer.allocate(2 * n + 6).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < bytes.capacity(); i++) {
                bytes.put(i, (byte) rnd.nextInt(256));
            }
            for (int i = 0; i < halves.capacity() / 2; i++) {
                halves.putShort(2 * i, Bf16.fromFloat((float) rnd.nextGaussian() * 100));
            }
            float[] v = new float[n + 1];
            float[] s = new float[n + 1];
            vector.int8(bytes, 9, v, 1, n);
            scalar.int8(bytes, 9, s, 1, n);
            assertClose(s, v, 0f, "int8 n=" + n);
            vector.bf16(halves, 6, v, 1, n);
            scalar.bf16(halves, 6, s, 1, n);
            assertClose(s, v, 0f, "bf16 n=" + n);
        }
    }

    private float[] random(int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        return x;
    }

    /** Equal within {@code rel} of each element's magnitude (0: bit-exact values). */
    private static void assertClose(float[] want, float[] got, float rel, String what) {
        for (int i = 0; i < want.length; i++) {
            float tol = rel * Math.max(1f, Math.abs(want[i]));
            boolean same = Float.compare(want[i], got[i]) == 0 || Math.abs(want[i] - got[i]) <= tol;
            assertTrue(same, what + ": [" + i + "] " + got[i] + " != " + want[i]);
        }
    }
}
