package dev.attn4j.cpu;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * {@link Lanes} on the Vector API, at the JVM's preferred width (256-bit AVX2: 8 floats; 512-bit:
 * 16): fused multiply-adds for the dot products and the V accumulation, a vector exp, and 8-bit
 * codes widened straight from the cache's bytes into float lanes (bf16 by a 16-bit shift), never
 * one {@code ByteBuffer.get} per element. Loaded only where {@code jdk.incubator.vector} is
 * resolved ({@link Lanes#choose}); tails shorter than a vector run as scalar loops.
 */
final class VectorLanes implements Lanes {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    /** Bytes of one float vector's lanes: L int8 codes. */
    private static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(L * 8));
    /** L bf16 values. */
    private static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(L * 16));
    /** L ints, the float vector's shape. */
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());

    @Override
    public float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (int end = n - n % L; i < end; i += L) {
            acc = FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromArray(F, b, bOff + i), acc);
        }
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            s += a[aOff + i] * b[bOff + i];
        }
        return s;
    }

    // From MANY_ROWS query rows on, scoreTile transposes the K tile once and multiplies broadcast
    // query elements into vectors of tokens: no horizontal sums at all, where a block of rows
    // against K rows needs one per (row, token). Below it (decode's G rows) the transpose would
    // cost more than the sums it saves.
    @Override
    public void scoreTile(float[] q, int rows, int d, float[] k, int n, float[] s, int sStride, float[] scratch) {
        if (d % L != 0) {
            ScalarLanes.INSTANCE.scoreTile(q, rows, d, k, n, s, sStride, scratch);
            return;
        }
        if (rows >= MANY_ROWS && sStride % L == 0) {
            scoreTransposed(q, rows, d, k, n, s, sStride, scratch);
            return;
        }
        int r = 0;
        for (; r + 4 <= rows; r += 4) {
            int j = 0;
            for (; j + 4 <= n; j += 4) {
                scores4x4(q, r, d, k, j, s, sStride);
            }
            for (; j < n; j++) {
                scores4x1(q, r, d, k, j, s, sStride);
            }
        }
        for (; r < rows; r++) {
            for (int j = 0; j < n; j++) {
                s[r * sStride + j] = dot(q, r * d, k, j * d, d);
            }
        }
    }

    /** Rows r ... r+3 against K rows j ... j+3: 16 accumulators, each K and Q chunk loaded once. */
    private static void scores4x4(float[] q, int r, int d, float[] k, int j, float[] s, int sStride) {
        FloatVector z = FloatVector.zero(F);
        FloatVector a00 = z, a01 = z, a02 = z, a03 = z, a10 = z, a11 = z, a12 = z, a13 = z;
        FloatVector a20 = z, a21 = z, a22 = z, a23 = z, a30 = z, a31 = z, a32 = z, a33 = z;
        int q0 = r * d, k0 = j * d;
        for (int c = 0; c < d; c += L) {
            FloatVector x0 = FloatVector.fromArray(F, q, q0 + c);
            FloatVector x1 = FloatVector.fromArray(F, q, q0 + d + c);
            FloatVector x2 = FloatVector.fromArray(F, q, q0 + 2 * d + c);
            FloatVector x3 = FloatVector.fromArray(F, q, q0 + 3 * d + c);
            FloatVector y0 = FloatVector.fromArray(F, k, k0 + c);
            FloatVector y1 = FloatVector.fromArray(F, k, k0 + d + c);
            FloatVector y2 = FloatVector.fromArray(F, k, k0 + 2 * d + c);
            FloatVector y3 = FloatVector.fromArray(F, k, k0 + 3 * d + c);
            a00 = x0.fma(y0, a00);
            a01 = x0.fma(y1, a01);
            a02 = x0.fma(y2, a02);
            a03 = x0.fma(y3, a03);
            a10 = x1.fma(y0, a10);
            a11 = x1.fma(y1, a11);
            a12 = x1.fma(y2, a12);
            a13 = x1.fma(y3, a13);
            a20 = x2.fma(y0, a20);
            a21 = x2.fma(y1, a21);
            a22 = x2.fma(y2, a22);
            a23 = x2.fma(y3, a23);
            a30 = x3.fma(y0, a30);
            a31 = x3.fma(y1, a31);
            a32 = x3.fma(y2, a32);
            a33 = x3.fma(y3, a33);
        }
        int o = r * sStride + j;
        store4(s, o, a00, a01, a02, a03);
        store4(s, o + sStride, a10, a11, a12, a13);
        store4(s, o + 2 * sStride, a20, a21, a22, a23);
        store4(s, o + 3 * sStride, a30, a31, a32, a33);
    }

    private static void store4(float[] s, int o, FloatVector a, FloatVector b, FloatVector c, FloatVector e) {
        s[o] = a.reduceLanes(VectorOperators.ADD);
        s[o + 1] = b.reduceLanes(VectorOperators.ADD);
        s[o + 2] = c.reduceLanes(VectorOperators.ADD);
        s[o + 3] = e.reduceLanes(VectorOperators.ADD);
    }

    /** Rows r ... r+3 against K row j. */
    private static void scores4x1(float[] q, int r, int d, float[] k, int j, float[] s, int sStride) {
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        int q0 = r * d, k0 = j * d;
        for (int c = 0; c < d; c += L) {
            FloatVector kv = FloatVector.fromArray(F, k, k0 + c);
            a0 = FloatVector.fromArray(F, q, q0 + c).fma(kv, a0);
            a1 = FloatVector.fromArray(F, q, q0 + d + c).fma(kv, a1);
            a2 = FloatVector.fromArray(F, q, q0 + 2 * d + c).fma(kv, a2);
            a3 = FloatVector.fromArray(F, q, q0 + 3 * d + c).fma(kv, a3);
        }
        int o = r * sStride + j;
        s[o] = a0.reduceLanes(VectorOperators.ADD);
        s[o + sStride] = a1.reduceLanes(VectorOperators.ADD);
        s[o + 2 * sStride] = a2.reduceLanes(VectorOperators.ADD);
        s[o + 3 * sStride] = a3.reduceLanes(VectorOperators.ADD);
    }

    /**
     * Many rows: K's tile transposed into {@code kt} ({@code d} rows of {@code np} tokens, zero past
     * {@code n}), then per block of 4 query rows and vector of tokens, each query element broadcast
     * and multiplied into the tokens' lanes.
     */
    /** Lane i's offset i x d: the gather of one dim across L token rows of d floats. Cached per thread. */
    private static int[] gatherMap(int d) {
        int[] map = GATHER_MAP.get();
        if (map[1] != d) {
            for (int i = 0; i < L; i++) {
                map[i] = i * d;
            }
        }
        return map;
    }

    private static final ThreadLocal<int[]> GATHER_MAP = ThreadLocal.withInitial(() -> new int[Math.max(2, L)]);

    private static void scoreTransposed(float[] q, int rows, int d, float[] k, int n, float[] s, int sStride, float[] kt) {
        int np = (n + L - 1) / L * L;
        // Whole vectors of tokens gathered (a row of kt is one dim of L tokens, d floats apart): a
        // 32 x 128 tile in 1.5 us against 2.2 for the scalar copy (JDK 17, AVX-512).
        int full = n / L * L;
        int[] map = gatherMap(d);
        for (int c = 0; c < d; c++) {
            for (int jb = 0; jb < full; jb += L) {
                FloatVector.fromArray(F, k, jb * d + c, map, 0).intoArray(kt, c * np + jb);
            }
        }
        for (int j = full; j < n; j++) {
            for (int c = 0; c < d; c++) {
                kt[c * np + j] = k[j * d + c];
            }
        }
        for (int j = n; j < np; j++) {
            for (int c = 0; c < d; c++) {
                kt[c * np + j] = 0f;
            }
        }
        int r = 0;
        if (np % (2 * L) == 0) {
            // 8 rows x 2 token vectors: 16 chains, and 16 FMAs per 2 loads and 8 broadcasts (at 4 rows,
            // 8 per 2 and 4, the loads and broadcasts kept pace with the FMAs instead of hiding under them).
            // Written out like the 4-row block below, not looped over an array of accumulators: C2
            // (JDK 17) keeps vectors in registers only as locals.
            for (; r + 8 <= rows; r += 8) {
                int q0 = r * d;
                for (int jb = 0; jb < np; jb += 2 * L) {
                    FloatVector z = FloatVector.zero(F);
                    FloatVector a0 = z, b0 = z, a1 = z, b1 = z, a2 = z, b2 = z, a3 = z, b3 = z;
                    FloatVector a4 = z, b4 = z, a5 = z, b5 = z, a6 = z, b6 = z, a7 = z, b7 = z;
                    for (int c = 0; c < d; c++) {
                        FloatVector k0 = FloatVector.fromArray(F, kt, c * np + jb);
                        FloatVector k1 = FloatVector.fromArray(F, kt, c * np + jb + L);
                        FloatVector x = FloatVector.broadcast(F, q[q0 + c]);
                        a0 = k0.fma(x, a0);
                        b0 = k1.fma(x, b0);
                        x = FloatVector.broadcast(F, q[q0 + d + c]);
                        a1 = k0.fma(x, a1);
                        b1 = k1.fma(x, b1);
                        x = FloatVector.broadcast(F, q[q0 + 2 * d + c]);
                        a2 = k0.fma(x, a2);
                        b2 = k1.fma(x, b2);
                        x = FloatVector.broadcast(F, q[q0 + 3 * d + c]);
                        a3 = k0.fma(x, a3);
                        b3 = k1.fma(x, b3);
                        x = FloatVector.broadcast(F, q[q0 + 4 * d + c]);
                        a4 = k0.fma(x, a4);
                        b4 = k1.fma(x, b4);
                        x = FloatVector.broadcast(F, q[q0 + 5 * d + c]);
                        a5 = k0.fma(x, a5);
                        b5 = k1.fma(x, b5);
                        x = FloatVector.broadcast(F, q[q0 + 6 * d + c]);
                        a6 = k0.fma(x, a6);
                        b6 = k1.fma(x, b6);
                        x = FloatVector.broadcast(F, q[q0 + 7 * d + c]);
                        a7 = k0.fma(x, a7);
                        b7 = k1.fma(x, b7);
                    }
                    int o = r * sStride + jb;
                    a0.intoArray(s, o);
                    b0.intoArray(s, o + L);
                    a1.intoArray(s, o + sStride);
                    b1.intoArray(s, o + sStride + L);
                    a2.intoArray(s, o + 2 * sStride);
                    b2.intoArray(s, o + 2 * sStride + L);
                    a3.intoArray(s, o + 3 * sStride);
                    b3.intoArray(s, o + 3 * sStride + L);
                    a4.intoArray(s, o + 4 * sStride);
                    b4.intoArray(s, o + 4 * sStride + L);
                    a5.intoArray(s, o + 5 * sStride);
                    b5.intoArray(s, o + 5 * sStride + L);
                    a6.intoArray(s, o + 6 * sStride);
                    b6.intoArray(s, o + 6 * sStride + L);
                    a7.intoArray(s, o + 7 * sStride);
                    b7.intoArray(s, o + 7 * sStride + L);
                }
            }
            for (; r + 4 <= rows; r += 4) {   // 4 rows x 2 token vectors: 8 independent FMA chains
                int q0 = r * d;
                for (int jb = 0; jb < np; jb += 2 * L) {
                    FloatVector a0 = FloatVector.zero(F), b0 = a0, a1 = a0, b1 = a0, a2 = a0, b2 = a0, a3 = a0, b3 = a0;
                    for (int c = 0; c < d; c++) {
                        FloatVector k0 = FloatVector.fromArray(F, kt, c * np + jb);
                        FloatVector k1 = FloatVector.fromArray(F, kt, c * np + jb + L);
                        FloatVector x0 = FloatVector.broadcast(F, q[q0 + c]), x1 = FloatVector.broadcast(F, q[q0 + d + c]);
                        FloatVector x2 = FloatVector.broadcast(F, q[q0 + 2 * d + c]), x3 = FloatVector.broadcast(F, q[q0 + 3 * d + c]);
                        a0 = k0.fma(x0, a0);
                        b0 = k1.fma(x0, b0);
                        a1 = k0.fma(x1, a1);
                        b1 = k1.fma(x1, b1);
                        a2 = k0.fma(x2, a2);
                        b2 = k1.fma(x2, b2);
                        a3 = k0.fma(x3, a3);
                        b3 = k1.fma(x3, b3);
                    }
                    int o = r * sStride + jb;
                    a0.intoArray(s, o);
                    b0.intoArray(s, o + L);
                    a1.intoArray(s, o + sStride);
                    b1.intoArray(s, o + sStride + L);
                    a2.intoArray(s, o + 2 * sStride);
                    b2.intoArray(s, o + 2 * sStride + L);
                    a3.intoArray(s, o + 3 * sStride);
                    b3.intoArray(s, o + 3 * sStride + L);
                }
            }
        }
        for (; r + 4 <= rows; r += 4) {
            int q0 = r * d;
            for (int jb = 0; jb < np; jb += L) {
                FloatVector a0 = FloatVector.zero(F);
                FloatVector a1 = a0;
                FloatVector a2 = a0;
                FloatVector a3 = a0;
                for (int c = 0; c < d; c++) {
                    FloatVector kv = FloatVector.fromArray(F, kt, c * np + jb);
                    a0 = kv.fma(FloatVector.broadcast(F, q[q0 + c]), a0);
                    a1 = kv.fma(FloatVector.broadcast(F, q[q0 + d + c]), a1);
                    a2 = kv.fma(FloatVector.broadcast(F, q[q0 + 2 * d + c]), a2);
                    a3 = kv.fma(FloatVector.broadcast(F, q[q0 + 3 * d + c]), a3);
                }
                a0.intoArray(s, r * sStride + jb);
                a1.intoArray(s, (r + 1) * sStride + jb);
                a2.intoArray(s, (r + 2) * sStride + jb);
                a3.intoArray(s, (r + 3) * sStride + jb);
            }
        }
        for (; r < rows; r++) {
            for (int jb = 0; jb < np; jb += L) {
                FloatVector a = FloatVector.zero(F);
                for (int c = 0; c < d; c++) {
                    a = FloatVector.fromArray(F, kt, c * np + jb).fma(FloatVector.broadcast(F, q[r * d + c]), a);
                }
                a.intoArray(s, r * sStride + jb);
            }
        }
    }

    @Override
    public void scoreInt8(float[] q, int rows, int d, byte[] a, int[] at, float[] rowScale, int n, float[] s,
                          int sStride) {
        if (d % L != 0) {
            ScalarLanes.INSTANCE.scoreInt8(q, rows, d, a, at, rowScale, n, s, sStride);
            return;
        }
        int r = 0;
        for (; r + 4 <= rows; r += 4) {
            int j = 0;
            for (; j + 4 <= n; j += 4) {
                int8Scores4x4(q, r, d, a, at, j, s, sStride);
            }
            for (; j < n; j++) {
                int8Scores4x1(q, r, d, a, at[j], s, r * sStride + j, sStride);
            }
        }
        // The last 1-3 rows (G = 1, 2, 3, 7 ...): two rows, then one, still 4 tokens at a time.
        for (; r < rows; r += r + 2 <= rows ? 2 : 1) {
            boolean two = r + 2 <= rows;
            int j = 0;
            for (; j + 4 <= n; j += 4) {
                int8ScoresFewRows(q, r, two, d, a, at, j, s, sStride);
            }
            for (; j < n; j++) {
                for (int rr = r; rr < r + (two ? 2 : 1); rr++) {
                    FloatVector acc = FloatVector.zero(F);
                    for (int x = 0; x < d; x += L) {
                        acc = FloatVector.fromArray(F, q, rr * d + x).fma(int8Lanes(a, at[j] + x), acc);
                    }
                    s[rr * sStride + j] = acc.reduceLanes(VectorOperators.ADD);
                }
            }
        }
        for (r = 0; r < rows; r++) {
            multiply(s, r * sStride, rowScale, 0, n);
        }
    }

    /**
     * Row r (and r + 1 when {@code two}) against the code rows of tokens j ... j+3: 8 accumulators;
     * with one row, the second row's are computed from row r again and not stored (a branch-free
     * loop: C2 boxes vectors merged from two paths).
     */
    private static void int8ScoresFewRows(float[] q, int r, boolean two, int d, byte[] a, int[] at, int j, float[] s,
                                          int sStride) {
        FloatVector z = FloatVector.zero(F);
        FloatVector a00 = z, a01 = z, a02 = z, a03 = z, a10 = z, a11 = z, a12 = z, a13 = z;
        int q0 = r * d;
        int q1 = two ? q0 + d : q0;
        int k0 = at[j], k1 = at[j + 1], k2 = at[j + 2], k3 = at[j + 3];
        for (int x = 0; x < d; x += L) {
            FloatVector x0 = FloatVector.fromArray(F, q, q0 + x);
            FloatVector x1 = FloatVector.fromArray(F, q, q1 + x);
            FloatVector y0 = int8Lanes(a, k0 + x);
            FloatVector y1 = int8Lanes(a, k1 + x);
            FloatVector y2 = int8Lanes(a, k2 + x);
            FloatVector y3 = int8Lanes(a, k3 + x);
            a00 = x0.fma(y0, a00);
            a01 = x0.fma(y1, a01);
            a02 = x0.fma(y2, a02);
            a03 = x0.fma(y3, a03);
            a10 = x1.fma(y0, a10);
            a11 = x1.fma(y1, a11);
            a12 = x1.fma(y2, a12);
            a13 = x1.fma(y3, a13);
        }
        int o = r * sStride + j;
        store4(s, o, a00, a01, a02, a03);
        if (two) {
            store4(s, o + sStride, a10, a11, a12, a13);
        }
    }

    /**
     * Rows r ... r+3 against the int8 code rows of tokens j ... j+3, widened in registers: the block
     * of {@link #scores4x4} with K loaded from codes. Written twice on purpose: one loop taking
     * either kind of K would merge two vectors, which C2 (JDK 17) boxes (an fp8/int8 loop written
     * that way ran fp8 decode at 41 ms instead of 1.9).
     */
    private static void int8Scores4x4(float[] q, int r, int d, byte[] a, int[] at, int j, float[] s, int sStride) {
        FloatVector z = FloatVector.zero(F);
        FloatVector a00 = z, a01 = z, a02 = z, a03 = z, a10 = z, a11 = z, a12 = z, a13 = z;
        FloatVector a20 = z, a21 = z, a22 = z, a23 = z, a30 = z, a31 = z, a32 = z, a33 = z;
        int q0 = r * d;
        int k0 = at[j], k1 = at[j + 1], k2 = at[j + 2], k3 = at[j + 3];
        for (int x = 0; x < d; x += L) {
            FloatVector x0 = FloatVector.fromArray(F, q, q0 + x);
            FloatVector x1 = FloatVector.fromArray(F, q, q0 + d + x);
            FloatVector x2 = FloatVector.fromArray(F, q, q0 + 2 * d + x);
            FloatVector x3 = FloatVector.fromArray(F, q, q0 + 3 * d + x);
            FloatVector y0 = int8Lanes(a, k0 + x);
            FloatVector y1 = int8Lanes(a, k1 + x);
            FloatVector y2 = int8Lanes(a, k2 + x);
            FloatVector y3 = int8Lanes(a, k3 + x);
            a00 = x0.fma(y0, a00);
            a01 = x0.fma(y1, a01);
            a02 = x0.fma(y2, a02);
            a03 = x0.fma(y3, a03);
            a10 = x1.fma(y0, a10);
            a11 = x1.fma(y1, a11);
            a12 = x1.fma(y2, a12);
            a13 = x1.fma(y3, a13);
            a20 = x2.fma(y0, a20);
            a21 = x2.fma(y1, a21);
            a22 = x2.fma(y2, a22);
            a23 = x2.fma(y3, a23);
            a30 = x3.fma(y0, a30);
            a31 = x3.fma(y1, a31);
            a32 = x3.fma(y2, a32);
            a33 = x3.fma(y3, a33);
        }
        int o = r * sStride + j;
        store4(s, o, a00, a01, a02, a03);
        store4(s, o + sStride, a10, a11, a12, a13);
        store4(s, o + 2 * sStride, a20, a21, a22, a23);
        store4(s, o + 3 * sStride, a30, a31, a32, a33);
    }

    /** Rows r ... r+3 against one int8 code row at {@code k0}, into s[o], s[o + sStride], ... */
    private static void int8Scores4x1(float[] q, int r, int d, byte[] a, int k0, float[] s, int o, int sStride) {
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        int q0 = r * d;
        for (int x = 0; x < d; x += L) {
            FloatVector kv = int8Lanes(a, k0 + x);
            a0 = FloatVector.fromArray(F, q, q0 + x).fma(kv, a0);
            a1 = FloatVector.fromArray(F, q, q0 + d + x).fma(kv, a1);
            a2 = FloatVector.fromArray(F, q, q0 + 2 * d + x).fma(kv, a2);
            a3 = FloatVector.fromArray(F, q, q0 + 3 * d + x).fma(kv, a3);
        }
        s[o] = a0.reduceLanes(VectorOperators.ADD);
        s[o + sStride] = a1.reduceLanes(VectorOperators.ADD);
        s[o + 2 * sStride] = a2.reduceLanes(VectorOperators.ADD);
        s[o + 3 * sStride] = a3.reduceLanes(VectorOperators.ADD);
    }

    @Override
    public void accumulateInt8(float[] p, int pStride, int rows, int n, byte[] a, int[] at, int d, float[] acc) {
        if (d % L != 0) {
            ScalarLanes.INSTANCE.accumulateInt8(p, pStride, rows, n, a, at, d, acc);
            return;
        }
        int r = 0;
        for (; r + 4 <= rows; r += 4) {   // as accumulateTile: 4 rows x 2 chunks, widened in registers
            if (d % (2 * L) != 0) {
                break;   // the pairs of rows below take it
            }
            int p0 = r * pStride, p1 = p0 + pStride, p2 = p1 + pStride, p3 = p2 + pStride;
            int o0 = r * d, o1 = o0 + d, o2 = o1 + d, o3 = o2 + d;
            for (int x = 0; x < d; x += 2 * L) {
                FloatVector a0 = FloatVector.fromArray(F, acc, o0 + x), b0 = FloatVector.fromArray(F, acc, o0 + x + L);
                FloatVector a1 = FloatVector.fromArray(F, acc, o1 + x), b1 = FloatVector.fromArray(F, acc, o1 + x + L);
                FloatVector a2 = FloatVector.fromArray(F, acc, o2 + x), b2 = FloatVector.fromArray(F, acc, o2 + x + L);
                FloatVector a3 = FloatVector.fromArray(F, acc, o3 + x), b3 = FloatVector.fromArray(F, acc, o3 + x + L);
                for (int j = 0; j < n; j++) {
                    FloatVector v0 = int8Lanes(a, at[j] + x);
                    FloatVector v1 = int8Lanes(a, at[j] + x + L);
                    FloatVector w0 = FloatVector.broadcast(F, p[p0 + j]), w1 = FloatVector.broadcast(F, p[p1 + j]);
                    FloatVector w2 = FloatVector.broadcast(F, p[p2 + j]), w3 = FloatVector.broadcast(F, p[p3 + j]);
                    a0 = v0.fma(w0, a0);
                    b0 = v1.fma(w0, b0);
                    a1 = v0.fma(w1, a1);
                    b1 = v1.fma(w1, b1);
                    a2 = v0.fma(w2, a2);
                    b2 = v1.fma(w2, b2);
                    a3 = v0.fma(w3, a3);
                    b3 = v1.fma(w3, b3);
                }
                a0.intoArray(acc, o0 + x);
                b0.intoArray(acc, o0 + x + L);
                a1.intoArray(acc, o1 + x);
                b1.intoArray(acc, o1 + x + L);
                a2.intoArray(acc, o2 + x);
                b2.intoArray(acc, o2 + x + L);
                a3.intoArray(acc, o3 + x);
                b3.intoArray(acc, o3 + x + L);
            }
        }
        // The last 1-3 rows: two at a time, each V chunk widened once for both; a lone last row is
        // computed twice and its copy not stored (no branch in the token loop).
        for (; r < rows; r += 2) {
            boolean two = r + 2 <= rows;
            int p0 = r * pStride, p1 = two ? p0 + pStride : p0, o0 = r * d, o1 = two ? o0 + d : o0;
            for (int x = 0; x < d; x += L) {
                FloatVector a0 = FloatVector.fromArray(F, acc, o0 + x);
                FloatVector a1 = FloatVector.fromArray(F, acc, o1 + x);
                for (int j = 0; j < n; j++) {
                    FloatVector vv = int8Lanes(a, at[j] + x);
                    a0 = vv.fma(FloatVector.broadcast(F, p[p0 + j]), a0);
                    a1 = vv.fma(FloatVector.broadcast(F, p[p1 + j]), a1);
                }
                if (two) {
                    a1.intoArray(acc, o1 + x);
                }
                a0.intoArray(acc, o0 + x);
            }
        }
    }

    @Override
    public void accumulateTile(float[] p, int pStride, int rows, int n, float[] v, int d, float[] acc, boolean vFinite) {
        if (d % L != 0) {
            ScalarLanes.INSTANCE.accumulateTile(p, pStride, rows, n, v, d, acc, vFinite);
            return;
        }
        // The blocked loop below takes two vectors of dims at a time; other head dims (80 at 512
        // bits) and V that may hold infinities take the per-token vector loop.
        if (!vFinite || d % (2 * L) != 0) {
            accumulateSkippingZeros(p, pStride, rows, n, v, d, acc);
            return;
        }
        // No branch in the token loop: a vector merged from two paths is boxed by C2 (JDK 17), which
        // costs more than the multiply by a zero weight it would skip. 8 accumulators (4 rows x 2
        // chunks): an FMA's latency x the core's FMA ports, fewer would leave ports idle.
        int r = 0;
        for (; r + 4 <= rows; r += 4) {
            int p0 = r * pStride, p1 = p0 + pStride, p2 = p1 + pStride, p3 = p2 + pStride;
            int o0 = r * d, o1 = o0 + d, o2 = o1 + d, o3 = o2 + d;
            for (int c = 0; c < d; c += 2 * L) {
                FloatVector a0 = FloatVector.fromArray(F, acc, o0 + c), b0 = FloatVector.fromArray(F, acc, o0 + c + L);
                FloatVector a1 = FloatVector.fromArray(F, acc, o1 + c), b1 = FloatVector.fromArray(F, acc, o1 + c + L);
                FloatVector a2 = FloatVector.fromArray(F, acc, o2 + c), b2 = FloatVector.fromArray(F, acc, o2 + c + L);
                FloatVector a3 = FloatVector.fromArray(F, acc, o3 + c), b3 = FloatVector.fromArray(F, acc, o3 + c + L);
                for (int j = 0; j < n; j++) {
                    FloatVector v0 = FloatVector.fromArray(F, v, j * d + c);
                    FloatVector v1 = FloatVector.fromArray(F, v, j * d + c + L);
                    FloatVector w0 = FloatVector.broadcast(F, p[p0 + j]), w1 = FloatVector.broadcast(F, p[p1 + j]);
                    FloatVector w2 = FloatVector.broadcast(F, p[p2 + j]), w3 = FloatVector.broadcast(F, p[p3 + j]);
                    a0 = v0.fma(w0, a0);
                    b0 = v1.fma(w0, b0);
                    a1 = v0.fma(w1, a1);
                    b1 = v1.fma(w1, b1);
                    a2 = v0.fma(w2, a2);
                    b2 = v1.fma(w2, b2);
                    a3 = v0.fma(w3, a3);
                    b3 = v1.fma(w3, b3);
                }
                a0.intoArray(acc, o0 + c);
                b0.intoArray(acc, o0 + c + L);
                a1.intoArray(acc, o1 + c);
                b1.intoArray(acc, o1 + c + L);
                a2.intoArray(acc, o2 + c);
                b2.intoArray(acc, o2 + c + L);
                a3.intoArray(acc, o3 + c);
                b3.intoArray(acc, o3 + c + L);
            }
        }
        for (; r < rows; r++) {
            int p0 = r * pStride, o0 = r * d;
            for (int c = 0; c < d; c += 2 * L) {
                FloatVector a0 = FloatVector.fromArray(F, acc, o0 + c), b0 = FloatVector.fromArray(F, acc, o0 + c + L);
                for (int j = 0; j < n; j++) {
                    FloatVector w = FloatVector.broadcast(F, p[p0 + j]);
                    a0 = FloatVector.fromArray(F, v, j * d + c).fma(w, a0);
                    b0 = FloatVector.fromArray(F, v, j * d + c + L).fma(w, b0);
                }
                a0.intoArray(acc, o0 + c);
                b0.intoArray(acc, o0 + c + L);
            }
        }
    }

    /** Per token and row, only the weights that are not 0 (safe for V that holds infinities). */
    private static void accumulateSkippingZeros(float[] p, int pStride, int rows, int n, float[] v, int d, float[] acc) {
        for (int j = 0; j < n; j++) {
            for (int c = 0; c < d; c += L) {   // one V chunk, read once, into every row
                FloatVector vv = FloatVector.fromArray(F, v, j * d + c);
                for (int r = 0; r < rows; r++) {
                    float w = p[r * pStride + j];
                    if (w != 0f) {   // a row that does not see this token: no 0 x inf = NaN from it
                        int at = r * d + c;
                        vv.fma(FloatVector.broadcast(F, w), FloatVector.fromArray(F, acc, at)).intoArray(acc, at);
                    }
                }
            }
        }
    }

    @Override
    public void axpy(float s, float[] x, int xOff, float[] y, int yOff, int n) {
        FloatVector sv = FloatVector.broadcast(F, s);
        int i = 0;
        for (int end = n - n % L; i < end; i += L) {
            FloatVector.fromArray(F, x, xOff + i).fma(sv, FloatVector.fromArray(F, y, yOff + i)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] += s * x[xOff + i];
        }
    }

    @Override
    public void scale(float[] y, int off, int n, float s) {
        int i = 0;
        for (int end = n - n % L; i < end; i += L) {
            FloatVector.fromArray(F, y, off + i).mul(s).intoArray(y, off + i);
        }
        for (; i < n; i++) {
            y[off + i] *= s;
        }
    }

    @Override
    public void multiply(float[] y, int off, float[] s, int sOff, int n) {
        int i = 0;
        for (int end = n - n % L; i < end; i += L) {
            FloatVector.fromArray(F, y, off + i).mul(FloatVector.fromArray(F, s, sOff + i)).intoArray(y, off + i);
        }
        for (; i < n; i++) {
            y[off + i] *= s[sOff + i];
        }
    }

    @Override
    public float max(float[] s, int from, int to) {
        int i = from;
        float m = Float.NEGATIVE_INFINITY;
        if (to - from >= L) {
            FloatVector v = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
            for (int end = to - (to - from) % L; i < end; i += L) {
                v = v.max(FloatVector.fromArray(F, s, i));   // NaN-propagating, as Math.max
            }
            m = v.reduceLanes(VectorOperators.MAX);
        }
        for (; i < to; i++) {
            m = Math.max(m, s[i]);
        }
        return m;
    }

    @Override
    public float expShifted(float[] s, int from, int to, float m) {
        FloatVector sum = FloatVector.zero(F);
        int i = from;
        for (int end = to - (to - from) % L; i < end; i += L) {
            FloatVector e = FloatVector.fromArray(F, s, i).sub(m).lanewise(VectorOperators.EXP);
            e.intoArray(s, i);
            sum = sum.add(e);
        }
        float total = sum.reduceLanes(VectorOperators.ADD);
        for (; i < to; i++) {
            s[i] = (float) Math.exp(s[i] - m);
            total += s[i];
        }
        return total;
    }

    /**
     * The lanes' tanh (the JDK's vector math library where it has one, within an ulp or so of
     * {@code Math.tanh}): a scalar {@code Math.tanh} per score had been most of a soft-capped
     * prefill's time.
     */
    @Override
    public void softCap(float[] s, int from, int to, float cap) {
        int i = from;
        for (int end = to - (to - from) % L; i < end; i += L) {
            FloatVector.fromArray(F, s, i).div(cap).lanewise(VectorOperators.TANH).mul(cap).intoArray(s, i);
        }
        ScalarLanes.INSTANCE.softCap(s, i, to, cap);
    }

    @Override
    public void int8(ByteBuffer data, int at, float[] dst, int dstOff, int n, float scale) {
        int i = 0;
        if (data.hasArray()) {   // the backend's own caches: array loads, about twice a buffer load's speed
            byte[] a = data.array();
            int base = data.arrayOffset() + at;
            for (int end = n - n % L; i < end; i += L) {
                ((FloatVector) ByteVector.fromArray(B, a, base + i).castShape(F, 0)).mul(scale).intoArray(dst, dstOff + i);
            }
        }
        for (int end = n - n % L; i < end; i += L) {
            ((FloatVector) ByteVector.fromByteBuffer(B, data, at + i, ByteOrder.LITTLE_ENDIAN)
                    .castShape(F, 0)).mul(scale).intoArray(dst, dstOff + i);
        }
        for (; i < n; i++) {
            dst[dstOff + i] = data.get(at + i) * scale;
        }
    }

    // fp8 and fp16 by exponent rebasing: the code's exponent and mantissa bits, shifted to a float's
    // places, read as a float are the value times 2^(127 - bias) (subnormals included, Java floats
    // keep subnormals), so one multiply by 2^(bias - 127) finishes the magnitude; the sign bit is
    // put back as a bit; all-ones exponents become the float's infinities and NaN.
    private static final float FP16_REBASE = 0x1p112f;   // 2^(127 - 15)

    @Override
    public void fp8(ByteBuffer data, int at, float[] dst, int dstOff, int n, float scale, boolean e4m3) {
        // e4m3: bias 7, NaN at magnitude 0x7f only; e5m2: bias 15, infinities and NaN from 0x7c
        int shift = e4m3 ? 20 : 21;
        float rebase = e4m3 ? 0x1p120f : 0x1p112f;   // 2^(127 - bias)
        int special = e4m3 ? 0x7f : 0x7c;
        int mantissaMask = e4m3 ? 7 : 3;
        int i = 0;
        if (data.hasArray()) {
            byte[] a = data.array();
            int base = data.arrayOffset() + at;
            for (int end = n - n % L; i < end; i += L) {
                IntVector bits = (IntVector) ByteVector.fromArray(B, a, base + i).castShape(I, 0);
                fp8Lanes(bits, shift, rebase, special, mantissaMask).mul(scale).intoArray(dst, dstOff + i);
            }
        }
        for (int end = n - n % L; i < end; i += L) {
            IntVector bits = (IntVector) ByteVector.fromByteBuffer(B, data, at + i, ByteOrder.LITTLE_ENDIAN).castShape(I, 0);
            fp8Lanes(bits, shift, rebase, special, mantissaMask).mul(scale).intoArray(dst, dstOff + i);
        }
        dev.attn4j.api.numeric.MiniFloat f = e4m3 ? dev.attn4j.api.numeric.MiniFloat.FP8_E4M3
                : dev.attn4j.api.numeric.MiniFloat.FP8_E5M2;
        for (; i < n; i++) {
            dst[dstOff + i] = f.toFloat(data.get(at + i)) * scale;
        }
    }

    /**
     * Sign-extended fp8 codes in int lanes -> their values, without a branch: magnitude bits
     * shifted by {@code shift} into a float's places, times {@code rebase}; magnitudes from
     * {@code special} up are the format's NaN (and e5m2's infinities), mantissa bits {@code mantissaMask}.
     */
    private static FloatVector fp8Lanes(IntVector code, int shift, float rebase, int special, int mantissaMask) {
        IntVector mag = code.lanewise(VectorOperators.AND, 0x7f);
        IntVector sign = code.lanewise(VectorOperators.AND, 0x80).lanewise(VectorOperators.LSHL, 24);
        FloatVector v = mag.lanewise(VectorOperators.LSHL, shift).reinterpretAsFloats().mul(rebase);
        IntVector bits = mag.lanewise(VectorOperators.AND, mantissaMask).lanewise(VectorOperators.LSHL, shift)
                .lanewise(VectorOperators.OR, 0x7f800000);
        return v.reinterpretAsInts().blend(bits, mag.compare(VectorOperators.GE, special))
                .lanewise(VectorOperators.OR, sign).reinterpretAsFloats();
    }

    /** L int8 codes from {@code a[at ..]} as floats. */
    private static FloatVector int8Lanes(byte[] a, int at) {
        return (FloatVector) ByteVector.fromArray(B, a, at).castShape(F, 0);
    }

    @Override
    public void fp16(ByteBuffer data, int at, float[] dst, int dstOff, int n) {
        int i = 0;
        for (int end = n - n % L; i < end; i += L) {
            IntVector h = ((IntVector) ShortVector.fromByteBuffer(S, data, at + 2 * i, ByteOrder.LITTLE_ENDIAN)
                    .castShape(I, 0));
            IntVector mag = h.lanewise(VectorOperators.AND, 0x7fff);
            IntVector sign = h.lanewise(VectorOperators.AND, 0x8000).lanewise(VectorOperators.LSHL, 16);
            FloatVector v = mag.lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(FP16_REBASE);
            IntVector special = mag.lanewise(VectorOperators.AND, 0x3ff).lanewise(VectorOperators.LSHL, 13)
                    .lanewise(VectorOperators.OR, 0x7f800000);
            v.reinterpretAsInts().blend(special, mag.compare(VectorOperators.GE, 0x7c00))
                    .lanewise(VectorOperators.OR, sign).reinterpretAsFloats().intoArray(dst, dstOff + i);
        }
        for (; i < n; i++) {
            dst[dstOff + i] = dev.attn4j.api.numeric.MiniFloat.FP16.toFloat(data.getShort(at + 2 * i));
        }
    }

    @Override
    public boolean allFinite(float[] x, int off, int n) {
        // x - x is 0 for every finite x and NaN otherwise; one NaN makes the sum NaN.
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (int end = n - n % L; i < end; i += L) {
            FloatVector v = FloatVector.fromArray(F, x, off + i);
            acc = acc.add(v.sub(v));
        }
        float t = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            t += x[off + i] - x[off + i];
        }
        return t == 0f;
    }

    @Override
    public void bf16(ByteBuffer data, int at, float[] dst, int dstOff, int n) {
        int i = 0;
        for (int end = n - n % L; i < end; i += L) {
            ShortVector bits = ShortVector.fromByteBuffer(S, data, at + 2 * i, ByteOrder.LITTLE_ENDIAN);
            // Sign-extended to 32 bits, then shifted up: the bf16 bits become the float's high half.
            ((IntVector) bits.convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16)
                    .reinterpretAsFloats().intoArray(dst, dstOff + i);
        }
        for (; i < n; i++) {
            dst[dstOff + i] = dev.attn4j.api.numeric.Bf16.toFloat(data.getShort(at + 2 * i));
        }
    }

    @Override
    public void storeHalf(dev.attn4j.api.DType type, float[] src, int off, int n, float mul, ByteBuffer dst, int at) {
        if (type != dev.attn4j.api.DType.BF16) {   // fp16 rounding stays scalar (no vector float-to-half on JDK 17)
            ScalarLanes.INSTANCE.storeHalf(type, src, off, n, mul, dst, at);
            return;
        }
        int i = 0;
        for (int end = n - n % L; i < end; i += L) {
            FloatVector x = FloatVector.fromArray(F, src, off + i).mul(mul);
            IntVector b = x.reinterpretAsInts();
            IntVector high = b.lanewise(VectorOperators.LSHR, 16);
            // Bf16.fromFloat: ties to even (add 0x7fff plus the kept part's lowest bit), NaN kept quiet.
            IntVector r = b.add(0x7FFF).add(high.and(1)).lanewise(VectorOperators.LSHR, 16)
                    .blend(high.or(0x40), x.compare(VectorOperators.NE, x).cast(I));
            ((ShortVector) r.convertShape(VectorOperators.I2S, S, 0)).intoByteBuffer(dst, at + 2 * i, ByteOrder.LITTLE_ENDIAN);
        }
        for (; i < n; i++) {
            dst.putShort(at + 2 * i, dev.attn4j.api.numeric.Bf16.fromFloat(src[off + i] * mul));
        }
    }

    @Override
    public float fmaChains(long iterations) {
        FloatVector m = FloatVector.broadcast(F, 0.999f);
        FloatVector c = FloatVector.broadcast(F, 1e-3f);
        FloatVector a0 = FloatVector.broadcast(F, 1f), a1 = FloatVector.broadcast(F, 2f);
        FloatVector a2 = FloatVector.broadcast(F, 3f), a3 = FloatVector.broadcast(F, 4f);
        FloatVector a4 = FloatVector.broadcast(F, 5f), a5 = FloatVector.broadcast(F, 6f);
        FloatVector a6 = FloatVector.broadcast(F, 7f), a7 = FloatVector.broadcast(F, 8f);
        for (long i = 0; i < iterations; i++) {
            a0 = a0.fma(m, c);
            a1 = a1.fma(m, c);
            a2 = a2.fma(m, c);
            a3 = a3.fma(m, c);
            a4 = a4.fma(m, c);
            a5 = a5.fma(m, c);
            a6 = a6.fma(m, c);
            a7 = a7.fma(m, c);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).reduceLanes(VectorOperators.ADD);
    }

    @Override
    public int fmaWidth() {
        return L;
    }

    @Override
    public String describe() {
        return "vector (" + F.vectorBitSize() + "-bit, " + L + " float lanes)";
    }
}
