package dev.attn4j.cpu;

import dev.attn4j.api.numeric.Bf16;
import dev.attn4j.api.numeric.MiniFloat;
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
    void softCapIsCapTimesTanhOfTheLogitOverTheCapAndKeepsNaN() {
        for (float cap : new float[] {2.5f, 30f, 50f}) {
            for (int n : LENGTHS) {
                float[] x = new float[n + 4];
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) ((rnd.nextDouble() - 0.5) * 8 * cap);   // well past the cap both ways
                }
                x[2] = Float.NaN;   // outside the range of the first call below, inside the second's
                float[] v = x.clone();
                float[] sc = x.clone();
                vector.softCap(v, 3, n + 3, cap);
                scalar.softCap(sc, 3, n + 3, cap);
                for (int i = 0; i < x.length; i++) {
                    if (i < 3 || i >= n + 3) {
                        assertEquals(Float.floatToRawIntBits(x[i]), Float.floatToRawIntBits(v[i]), "untouched " + i);
                        continue;
                    }
                    double want = cap * Math.tanh(x[i] / (double) cap);
                    assertEquals(want, v[i], 2e-6 * cap, "vector cap=" + cap + " n=" + n + " i=" + i);
                    assertEquals(want, sc[i], 1e-6 * cap, "scalar cap=" + cap + " n=" + n + " i=" + i);
                    assertTrue(Math.abs(v[i]) <= cap, "within the cap: " + v[i]);
                }
                vector.softCap(v, 2, n + 3, cap);
                assertTrue(Float.isNaN(v[2]), "NaN stays NaN");
            }
        }
    }

    @Test
    void maxIsTheLargestOfTheRangeAndPropagatesNaN() {
        for (int n : LENGTHS) {
            float[] x = random(n + 6);
            x[2] = 1e30f;   // outside the range [3, n + 3): never the answer
            float want = Float.NEGATIVE_INFINITY;
            for (int i = 3; i < n + 3; i++) {
                want = Math.max(want, x[i]);
            }
            assertEquals(want, vector.max(x, 3, n + 3), "max n=" + n);
            assertEquals(want, scalar.max(x, 3, n + 3), "scalar max n=" + n);
            x[3 + rnd.nextInt(n)] = Float.NaN;
            assertTrue(Float.isNaN(vector.max(x, 3, n + 3)), "NaN in the range, n=" + n);
        }
        assertEquals(Float.NEGATIVE_INFINITY, vector.max(new float[4], 2, 2), "an empty range");
    }

    @Test
    void scoreTilesAgreeWithFloat64DotsOnEveryPath() {
        // rows below and from Lanes.MANY_ROWS; tiles of whole, partial and single K rows
        for (int d : new int[] {8, 64, 80, 96, 128, 130}) {
            for (int rows : new int[] {1, 3, 4, 7, 8, 16, 17, 32}) {
                for (int n : new int[] {1, 3, 4, 5, 16, 31, 32}) {
                    float[] q = random(rows * d);
                    float[] k = random(n * d);
                    float[] scratch = new float[32 * d];
                    float[] vs = new float[rows * 32];
                    float[] ss = new float[rows * 32];
                    vector.scoreTile(q, rows, d, k, n, vs, 32, scratch);
                    scalar.scoreTile(q, rows, d, k, n, ss, 32, scratch);
                    for (int r = 0; r < rows; r++) {
                        for (int j = 0; j < n; j++) {
                            double want = 0;
                            for (int c = 0; c < d; c++) {
                                want += (double) q[r * d + c] * k[j * d + c];
                            }
                            String at = "d=" + d + " rows=" + rows + " n=" + n + " r=" + r + " j=" + j;
                            assertEquals(want, vs[r * 32 + j], 1e-5 * d, "vector " + at);
                            assertEquals(want, ss[r * 32 + j], 1e-5 * d, "scalar " + at);
                        }
                    }
                }
            }
        }
    }

    @Test
    void int8CodesReadInPlaceScoreAndAccumulateAsTheirFloats() {
        // Rows scattered over one array (as a cache's are), a scale per row, every row-block path.
        for (int d : new int[] {8, 64, 80, 128, 130}) {
            for (int rows : new int[] {1, 3, 4, 7, 8}) {
                for (int n : new int[] {1, 3, 4, 5, 32}) {
                    byte[] a = new byte[(2 * n + 3) * d];
                    for (int i = 0; i < a.length; i++) {
                        a[i] = (byte) rnd.nextInt(256);
                    }
                    int[] at = new int[n];
                    float[] scale = new float[n];
                    for (int j = 0; j < n; j++) {
                        at[j] = (2 * (n - 1 - j) + 1) * d + j % 3;   // out of order, unaligned
                        scale[j] = 0.01f * (j + 1);
                    }
                    float[] q = random(rows * d);
                    float[] p = random(rows * 32);
                    for (Lanes lanes : new Lanes[] {vector, scalar}) {
                        float[] s = new float[rows * 32];
                        lanes.scoreInt8(q, rows, d, a, at, scale, n, s, 32);
                        float[] acc = new float[rows * d];
                        lanes.accumulateInt8(p, 32, rows, n, a, at, d, acc);
                        for (int r = 0; r < rows; r++) {
                            for (int j = 0; j < n; j++) {
                                double want = 0;
                                for (int c = 0; c < d; c++) {
                                    want += (double) q[r * d + c] * a[at[j] + c];
                                }
                                assertEquals(want * scale[j], s[r * 32 + j], 1e-5 * d * Math.max(1, Math.abs(want * scale[j])),
                                        lanes.describe() + " score d=" + d + " rows=" + rows + " n=" + n);
                            }
                            for (int c = 0; c < d; c++) {
                                double want = 0;
                                for (int j = 0; j < n; j++) {
                                    want += (double) p[r * 32 + j] * a[at[j] + c];
                                }
                                assertEquals(want, acc[r * d + c], 1e-5 * n * 128,
                                        lanes.describe() + " accumulate d=" + d + " rows=" + rows + " n=" + n);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void accumulateTilesAgreeWithTheScalarLoopsAndKeepMaskedRowsFinite() {
        for (int d : new int[] {8, 64, 80, 96, 128, 130}) {
            for (int rows : new int[] {1, 3, 4, 7, 8, 32}) {
                for (int n : new int[] {1, 5, 32}) {
                    float[] p = random(rows * 32);
                    p[0] = 0f;   // row 0 does not see token 0
                    float[] v = random(n * d);
                    float[] va = random(rows * d);
                    float[] sa = va.clone();
                    float[] fa = va.clone();
                    vector.accumulateTile(p, 32, rows, n, v, d, fa, true);
                    scalar.accumulateTile(p, 32, rows, n, v, d, sa, true);
                    assertClose(sa, fa, 1e-5f, "finite V d=" + d + " rows=" + rows + " n=" + n);
                    v[3] = Float.POSITIVE_INFINITY;   // token 0, which row 0 does not see
                    va = sa.clone();
                    vector.accumulateTile(p, 32, rows, n, v, d, va, false);
                    for (int c = 0; c < d; c++) {
                        assertTrue(Float.isFinite(va[c]), "a zero weight adds nothing, inf included: d=" + d + " c=" + c);
                    }
                }
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
            vector.int8(bytes, 9, v, 1, n, 0.375f);
            scalar.int8(bytes, 9, s, 1, n, 0.375f);
            assertClose(s, v, 0f, "int8 n=" + n);
            for (int i = 0; i < n; i++) {
                assertEquals(bytes.get(9 + i) * 0.375f, v[1 + i], "int8 code x scale, exactly");
            }
            vector.bf16(halves, 6, v, 1, n);
            scalar.bf16(halves, 6, s, 1, n);
            assertClose(s, v, 0f, "bf16 n=" + n);
        }
    }

    @Test
    void everyFp8AndFp16CodeWidensToMiniFloatsValue() {
        // Heap buffers (array loads) and direct ones (buffer loads), odd offsets, NaN and infinities.
        for (boolean direct : new boolean[] {false, true}) {
            ByteBuffer codes = (direct ? ByteBuffer.allocateDirect(256 + 3) : ByteBuffer.allocate(256 + 3))
                    .order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < 256; i++) {
                codes.put(3 + i, (byte) i);
            }
            for (boolean e4m3 : new boolean[] {true, false}) {
                MiniFloat f = e4m3 ? MiniFloat.FP8_E4M3 : MiniFloat.FP8_E5M2;
                float[] v = new float[256];
                vector.fp8(codes, 3, v, 0, 256, 2f, e4m3);
                for (int i = 0; i < 256; i++) {
                    float want = f.toFloat(i) * 2f;
                    assertEquals(0, Float.compare(want, v[i]), f + " code " + i + ": " + v[i] + " != " + want);
                }
            }
            ByteBuffer halves = (direct ? ByteBuffer.allocateDirect(2 * 65536 + 2) : ByteBuffer.allocate(2 * 65536 + 2))
                    .order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < 65536; i++) {
                halves.putShort(2 + 2 * i, (short) i);
            }
            float[] h = new float[65536];
            vector.fp16(halves, 2, h, 0, 65536);
            for (int i = 0; i < 65536; i++) {
                float want = MiniFloat.FP16.toFloat(i);
                assertEquals(0, Float.compare(want, h[i]), "fp16 code " + i + ": " + h[i] + " != " + want);
            }
        }
    }

    @Test
    void outputRowsRoundToHalfFormatsValuesBitForBit() {
        // Ties (the bits just at and past a half step), NaN, infinities, overflow to infinity,
        // subnormals; heap and direct buffers, odd byte offsets, lengths with and without tails.
        float[] special = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 3.4e38f, -3.4e38f,
                Float.intBitsToFloat(0x3f808000), Float.intBitsToFloat(0x3f818000), Float.intBitsToFloat(0x3f808001),
                1e-40f, -0f, 0f, Float.MIN_VALUE, 65504f, 65520f, 6e-8f};
        for (boolean direct : new boolean[] {false, true}) {
            for (int n : LENGTHS) {
                float[] src = random(n + 3);
                for (int i = 0; i < n; i++) {
                    src[3 + i] *= 1000f;
                    if (i % 3 == 0) {
                        src[3 + i] = special[(i / 3) % special.length];
                    }
                }
                for (dev.attn4j.api.DType type : new dev.attn4j.api.DType[] {dev.attn4j.api.DType.BF16, dev.attn4j.api.DType.FP16}) {
                    for (float mul : new float[] {1f, 0.75f}) {   // 1: the ties above stay ties
                        ByteBuffer out = (direct ? ByteBuffer.allocateDirect(2 * n + 5) : ByteBuffer.allocate(2 * n + 5))
                                .order(ByteOrder.LITTLE_ENDIAN);
                        vector.storeHalf(type, src, 3, n, mul, out, 5);
                        for (int i = 0; i < n; i++) {
                            short want = dev.attn4j.api.numeric.HalfFormat.fromFloat(type, src[3 + i] * mul);
                            assertEquals(want, out.getShort(5 + 2 * i), type + " lane " + i + " of " + n + ": " + src[3 + i]);
                        }
                    }
                }
            }
        }
    }

    @Test
    void allFiniteFindsEveryInfinityAndNaN() {
        for (Lanes lanes : new Lanes[] {vector, scalar}) {
            for (int n : LENGTHS) {
                float[] x = random(n + 2);
                assertTrue(lanes.allFinite(x, 1, n), lanes.describe() + " n=" + n);
                for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
                    for (int at = 1; at <= n; at += Math.max(1, n / 5)) {
                        float[] y = x.clone();
                        y[at] = bad;
                        assertTrue(!lanes.allFinite(y, 1, n), lanes.describe() + " misses " + bad + " at " + at);
                    }
                }
                x[0] = Float.NaN;   // outside the range
                assertTrue(lanes.allFinite(x, 1, n), "only the range counts");
            }
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
