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

    @Override
    public void dots(float[] q, int rows, int d, float[] k, int kOff, float[] out, int outOff, int outStride) {
        if (d % L != 0) {
            for (int r = 0; r < rows; r++) {
                out[outOff + r * outStride] = dot(q, r * d, k, kOff, d);
            }
            return;
        }
        int r = 0;
        for (; r + 4 <= rows; r += 4) {   // four query rows per pass over the K row
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            int q0 = r * d;
            for (int c = 0; c < d; c += L) {
                FloatVector kv = FloatVector.fromArray(F, k, kOff + c);
                a0 = FloatVector.fromArray(F, q, q0 + c).fma(kv, a0);
                a1 = FloatVector.fromArray(F, q, q0 + d + c).fma(kv, a1);
                a2 = FloatVector.fromArray(F, q, q0 + 2 * d + c).fma(kv, a2);
                a3 = FloatVector.fromArray(F, q, q0 + 3 * d + c).fma(kv, a3);
            }
            out[outOff + r * outStride] = a0.reduceLanes(VectorOperators.ADD);
            out[outOff + (r + 1) * outStride] = a1.reduceLanes(VectorOperators.ADD);
            out[outOff + (r + 2) * outStride] = a2.reduceLanes(VectorOperators.ADD);
            out[outOff + (r + 3) * outStride] = a3.reduceLanes(VectorOperators.ADD);
        }
        for (; r < rows; r++) {
            out[outOff + r * outStride] = dot(q, r * d, k, kOff, d);
        }
    }

    @Override
    public void axpys(float[] p, int pOff, int pStride, int rows, float[] v, int vOff, float[] acc, int d) {
        if (d % L != 0) {
            for (int r = 0; r < rows; r++) {
                if (p[pOff + r * pStride] != 0f) {
                    axpy(p[pOff + r * pStride], v, vOff, acc, r * d, d);
                }
            }
            return;
        }
        for (int c = 0; c < d; c += L) {   // one V chunk, read once, into every row
            FloatVector vv = FloatVector.fromArray(F, v, vOff + c);
            for (int r = 0; r < rows; r++) {
                float w = p[pOff + r * pStride];
                if (w != 0f) {   // a row that does not see this token: no 0 x inf = NaN from it
                    int at = r * d + c;
                    vv.fma(FloatVector.broadcast(F, w), FloatVector.fromArray(F, acc, at)).intoArray(acc, at);
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

    @Override
    public void int8(ByteBuffer data, int at, float[] dst, int dstOff, int n) {
        int i = 0;
        for (int end = n - n % L; i < end; i += L) {
            ((FloatVector) ByteVector.fromByteBuffer(B, data, at + i, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.B2F, F, 0)).intoArray(dst, dstOff + i);
        }
        for (; i < n; i++) {
            dst[dstOff + i] = data.get(at + i);
        }
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
