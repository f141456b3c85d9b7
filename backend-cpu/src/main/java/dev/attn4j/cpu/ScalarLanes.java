package dev.attn4j.cpu;

import dev.attn4j.api.numeric.Bf16;

import java.nio.ByteBuffer;

/** {@link Lanes} as plain loops: the path wherever the Vector API is not enabled. */
final class ScalarLanes implements Lanes {
    static final ScalarLanes INSTANCE = new ScalarLanes();

    private ScalarLanes() {
    }

    @Override
    public float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        float s = 0f;
        for (int i = 0; i < n; i++) {
            s += a[aOff + i] * b[bOff + i];
        }
        return s;
    }

    @Override
    public void scoreTile(float[] q, int rows, int d, float[] k, int n, float[] s, int sStride, float[] scratch) {
        for (int j = 0; j < n; j++) {   // each K row once, against every query row
            for (int r = 0; r < rows; r++) {
                s[r * sStride + j] = dot(q, r * d, k, j * d, d);
            }
        }
    }

    @Override
    public void scoreInt8(float[] q, int rows, int d, byte[] a, int[] at, float[] rowScale, int n, float[] s,
                          int sStride) {
        for (int j = 0; j < n; j++) {
            for (int r = 0; r < rows; r++) {
                float dot = 0f;
                for (int x = 0; x < d; x++) {
                    dot += q[r * d + x] * a[at[j] + x];
                }
                s[r * sStride + j] = dot * rowScale[j];
            }
        }
    }

    @Override
    public void accumulateInt8(float[] p, int pStride, int rows, int n, byte[] a, int[] at, int d, float[] acc) {
        for (int j = 0; j < n; j++) {
            for (int r = 0; r < rows; r++) {
                float w = p[r * pStride + j];
                for (int x = 0; x < d; x++) {
                    acc[r * d + x] += w * a[at[j] + x];
                }
            }
        }
    }

    @Override
    public void accumulateTile(float[] p, int pStride, int rows, int n, float[] v, int d, float[] acc, boolean vFinite) {
        for (int j = 0; j < n; j++) {
            for (int r = 0; r < rows; r++) {
                float w = p[r * pStride + j];
                if (w != 0f) {   // a row that does not see this token adds nothing (no 0 x inf)
                    axpy(w, v, j * d, acc, r * d, d);
                }
            }
        }
    }

    @Override
    public void axpy(float s, float[] x, int xOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] += s * x[xOff + i];
        }
    }

    @Override
    public void scale(float[] y, int off, int n, float s) {
        for (int i = 0; i < n; i++) {
            y[off + i] *= s;
        }
    }

    @Override
    public void multiply(float[] y, int off, float[] s, int sOff, int n) {
        for (int i = 0; i < n; i++) {
            y[off + i] *= s[sOff + i];
        }
    }

    @Override
    public float max(float[] s, int from, int to) {
        float m = Float.NEGATIVE_INFINITY;
        for (int i = from; i < to; i++) {
            m = Math.max(m, s[i]);
        }
        return m;
    }

    @Override
    public float expShifted(float[] s, int from, int to, float m) {
        float sum = 0f;
        for (int i = from; i < to; i++) {
            s[i] = (float) Math.exp(s[i] - m);
            sum += s[i];
        }
        return sum;
    }

    @Override
    public void softCap(float[] s, int from, int to, float cap) {
        for (int i = from; i < to; i++) {
            s[i] = (float) (cap * Math.tanh(s[i] / cap));
        }
    }

    @Override
    public void int8(ByteBuffer data, int at, float[] dst, int dstOff, int n, float scale) {
        for (int i = 0; i < n; i++) {
            dst[dstOff + i] = data.get(at + i) * scale;
        }
    }

    @Override
    public void fp8(ByteBuffer data, int at, float[] dst, int dstOff, int n, float scale, boolean e4m3) {
        dev.attn4j.api.numeric.MiniFloat f = e4m3 ? dev.attn4j.api.numeric.MiniFloat.FP8_E4M3
                : dev.attn4j.api.numeric.MiniFloat.FP8_E5M2;
        for (int i = 0; i < n; i++) {
            dst[dstOff + i] = f.toFloat(data.get(at + i)) * scale;
        }
    }

    @Override
    public void fp16(ByteBuffer data, int at, float[] dst, int dstOff, int n) {
        for (int i = 0; i < n; i++) {
            dst[dstOff + i] = dev.attn4j.api.numeric.MiniFloat.FP16.toFloat(data.getShort(at + 2 * i));
        }
    }

    @Override
    public boolean allFinite(float[] x, int off, int n) {
        for (int i = 0; i < n; i++) {
            if (!Float.isFinite(x[off + i])) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void bf16(ByteBuffer data, int at, float[] dst, int dstOff, int n) {
        for (int i = 0; i < n; i++) {
            dst[dstOff + i] = Bf16.toFloat(data.getShort(at + 2 * i));
        }
    }

    @Override
    public void storeHalf(dev.attn4j.api.DType type, float[] src, int off, int n, float mul, ByteBuffer dst, int at) {
        for (int i = 0; i < n; i++) {
            dst.putShort(at + 2 * i, dev.attn4j.api.numeric.HalfFormat.fromFloat(type, src[off + i] * mul));
        }
    }

    @Override
    public float fmaChains(long iterations) {
        float a0 = 1f, a1 = 2f, a2 = 3f, a3 = 4f, a4 = 5f, a5 = 6f, a6 = 7f, a7 = 8f;
        final float m = 0.999f, c = 1e-3f;   // stays bounded, no denormals
        for (long i = 0; i < iterations; i++) {
            a0 = Math.fma(a0, m, c);
            a1 = Math.fma(a1, m, c);
            a2 = Math.fma(a2, m, c);
            a3 = Math.fma(a3, m, c);
            a4 = Math.fma(a4, m, c);
            a5 = Math.fma(a5, m, c);
            a6 = Math.fma(a6, m, c);
            a7 = Math.fma(a7, m, c);
        }
        return a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7;
    }

    @Override
    public int fmaWidth() {
        return 1;
    }

    @Override
    public String describe() {
        return "scalar";
    }
}
