package dev.attn4j.cpu;

import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;

/**
 * The cpu kernel's inner loops: dot products, scaled adds, exponentials and the dequantization of
 * 8- and 16-bit rows, over float arrays. Two implementations: {@link VectorLanes} on the Vector
 * API ({@code jdk.incubator.vector}, when the JVM was started with
 * {@code --add-modules jdk.incubator.vector}), and {@link ScalarLanes}, plain loops, everywhere
 * else. The kernel around them ({@link CpuAttentionKernel}) is the same for both.
 */
interface Lanes {
    /** The Vector API's module, which the JVM resolves only when asked to. */
    String VECTOR_MODULE = "jdk.incubator.vector";

    /**
     * Query rows from which a tile is prefill-shaped: {@link VectorLanes#scoreTile} transposes K
     * once for them, and the kernel dequantizes the tile into floats for that rather than reading
     * codes in place ({@link #scoreInt8}).
     */
    int MANY_ROWS = 16;

    /** {@code sum(a[aOff + i] * b[bOff + i])} for {@code i < n}. */
    float dot(float[] a, int aOff, float[] b, int bOff, int n);

    /**
     * The scores of a tile: {@code s[r * sStride + j] = q[r * d ..] . k[j * d ..]} for
     * {@code r < rows} query rows and {@code j < n} K rows ({@code n <= sStride}): every K row read
     * once for a block of query rows (the G heads of a KV group, a prefill tile's rows), never one
     * row at a time. Entries {@code n <= j < sStride} may be overwritten. {@code scratch} holds at
     * least {@code d * sStride} floats the implementation may use (a transposed K tile).
     */
    void scoreTile(float[] q, int rows, int d, float[] k, int n, float[] s, int sStride, float[] scratch);

    /**
     * Weights x V over a tile: {@code acc[r * d + c] += sum_j p[r * pStride + j] * v[j * d + c]}
     * for {@code r < rows, j < n, c < d}, each V row read once for a block of rows. With
     * {@code vFinite} false (a 16-bit cache, which may hold infinities and NaN), a weight of 0 (the
     * token masked for that row) adds nothing, not 0 x inf = NaN; with it true the loops may
     * multiply by the 0.
     */
    void accumulateTile(float[] p, int pStride, int rows, int n, float[] v, int d, float[] acc, boolean vFinite);

    /**
     * {@link #scoreTile} straight from an int8 cache's codes: K row j is {@code d} codes at
     * {@code a[at[j] ..]}, widened in registers, and score (r, j) is multiplied by
     * {@code rowScale[j]} (the row's scale: TENSOR, HEAD or TOKEN). No float copy of the tile.
     */
    void scoreInt8(float[] q, int rows, int d, byte[] a, int[] at, float[] rowScale, int n, float[] s, int sStride);

    /**
     * {@link #accumulateTile} straight from int8 codes: V row j is {@code d} codes at
     * {@code a[at[j] ..]}. The weights must already include the V rows' scales; int8 values are
     * finite, so weights of 0 are multiplied like any other.
     */
    void accumulateInt8(float[] p, int pStride, int rows, int n, byte[] a, int[] at, int d, float[] acc);

    /** {@code y[yOff + i] += s * x[xOff + i]} for {@code i < n}. */
    void axpy(float s, float[] x, int xOff, float[] y, int yOff, int n);

    /** {@code y[off + i] *= s} for {@code i < n}. */
    void scale(float[] y, int off, int n, float s);

    /** {@code y[off + i] *= s[sOff + i]} for {@code i < n}. */
    void multiply(float[] y, int off, float[] s, int sOff, int n);

    /** The largest of {@code s[from .. to)} ({@code -inf} for an empty range; NaN where one is NaN). */
    float max(float[] s, int from, int to);

    /** {@code s[i] = exp(s[i] - m)} for {@code from <= i < to}; their sum. */
    float expShifted(float[] s, int from, int to, float m);

    /** {@code s[i] = cap * tanh(s[i] / cap)} for {@code from <= i < to}: soft-capped logits. */
    void softCap(float[] s, int from, int to, float cap);

    /**
     * {@code n} int8 codes from byte {@code at} of {@code data}, times {@code scale}, as floats into
     * {@code dst[dstOff ..]} (one pass: the row's scale, where it has one, costs no second pass).
     */
    void int8(ByteBuffer data, int at, float[] dst, int dstOff, int n, float scale);

    /**
     * {@code n} fp8 codes (e4m3 when {@code e4m3}, else e5m2) times {@code scale}, as {@link #int8}:
     * exactly {@link dev.attn4j.api.numeric.MiniFloat}'s values, NaN and infinities included.
     */
    void fp8(ByteBuffer data, int at, float[] dst, int dstOff, int n, float scale, boolean e4m3);

    /** {@code n} fp16 values from byte {@code at} (little-endian) as floats, exactly. */
    void fp16(ByteBuffer data, int at, float[] dst, int dstOff, int n);

    /** Whether {@code x[off .. off + n)} holds no infinity and no NaN. */
    boolean allFinite(float[] x, int off, int n);

    /** {@code n} bf16 values from byte {@code at} (little-endian) as floats into {@code dst[dstOff ..]}. */
    void bf16(ByteBuffer data, int at, float[] dst, int dstOff, int n);

    /**
     * {@code src[off .. off + n)} times {@code mul}, rounded to {@code type} (bf16 or fp16) as
     * {@link dev.attn4j.api.numeric.HalfFormat#fromFloat} rounds them, little-endian into {@code dst}
     * from byte {@code at}: the output rows.
     */
    void storeHalf(dev.attn4j.api.DType type, float[] src, int off, int n, float mul, ByteBuffer dst, int at);

    /**
     * {@code iterations} rounds of 8 independent multiply-add chains, as wide as these loops
     * compute; returns a value that depends on all of them (so no JIT drops the work). The FMAs
     * done: {@code 8 * iterations * fmaWidth()}.
     */
    float fmaChains(long iterations);

    /** Multiply-adds per chain and round in {@link #fmaChains}: the float lanes (1 for scalar). */
    int fmaWidth();

    /** e.g. {@code vector (256-bit, 8 float lanes)} or {@code scalar}. */
    String describe();

    /**
     * The Vector API lanes where the JVM has the module (and {@code vector} is asked for), else the
     * scalar ones. Where the module was resolved but the Vector API cannot be linked (an OSGi bundle
     * that does not see it), the scalar ones too.
     */
    static Lanes choose(boolean vector) {
        if (vector && ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent()) {
            try {
                return (Lanes) Class.forName("dev.attn4j.cpu.VectorLanes").getDeclaredConstructor().newInstance();
            } catch (ReflectiveOperationException | LinkageError e) {
                LoggerFactory.getLogger(Lanes.class).debug("Vector API present but not usable here: {}", e.toString());
            }
        }
        return ScalarLanes.INSTANCE;
    }

    /** Why the scalar lanes run, in one line, or null where the vector ones do. */
    static String scalarReason(Lanes lanes, boolean vectorAsked) {
        if (!(lanes instanceof ScalarLanes)) {
            return null;
        }
        return !vectorAsked ? "scalar loops (the Vector API was turned off: attn4j.cpu.vector=false)"
                : ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent()
                ? "scalar loops (the Vector API is not visible from here)"
                : "scalar loops: start the JVM with --add-modules " + VECTOR_MODULE + " for the Vector API kernels";
    }
}
