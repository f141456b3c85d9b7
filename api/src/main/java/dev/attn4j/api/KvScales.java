package dev.attn4j.api;

import java.util.Arrays;

/**
 * Caller-set scales of a quantized cache (TENSOR, HEAD, CHANNEL granularity), separately for K
 * and V, as float32: {@code [1]}, {@code [numKvHeads]} or {@code [numKvHeads][headDim]} flattened.
 * Every scale must be finite and greater than zero; {@link #validateFor} rejects anything else
 * before a cache is created. Caches with NONE, TOKEN or TOKEN_GROUP granularity take
 * {@link #none()}.
 */
public final class KvScales {
    private static final KvScales NONE = new KvScales(new float[0], new float[0]);
    private final float[] k;
    private final float[] v;

    private KvScales(float[] k, float[] v) {
        this.k = k;
        this.v = v;
    }

    /** No caller scales: for 16-bit caches and dynamic granularities. */
    public static KvScales none() {
        return NONE;
    }

    /** One scale for all of K and one for all of V (FA3 / vLLM {@code k_scale}, {@code v_scale}). */
    public static KvScales tensor(float kScale, float vScale) {
        return new KvScales(new float[] {kScale}, new float[] {vScale});
    }

    /** Flattened scales, as the granularity's shape says; the arrays are copied. */
    public static KvScales of(float[] kScales, float[] vScales) {
        return new KvScales(InvalidRequestException.requireNonNull(kScales, "kScales").clone(),
                InvalidRequestException.requireNonNull(vScales, "vScales").clone());
    }

    /** A copy of the K scales. */
    public float[] k() {
        return k.clone();
    }

    /** A copy of the V scales. */
    public float[] v() {
        return v.clone();
    }

    /** K scale at a flattened index (see {@link KvCacheSpec#callerScaleIndex}). */
    public float k(int index) {
        return k[index];
    }

    /** V scale at a flattened index. */
    public float v(int index) {
        return v[index];
    }

    /** Number of scales per K (and per V). */
    public int size() {
        return k.length;
    }

    /**
     * Checks count and values against a cache spec: lengths equal to
     * {@link KvCacheSpec#callerScaleCount()}, every value finite and &gt; 0.
     *
     * @throws InvalidRequestException naming {@code kScales[i]} or {@code vScales[i]} and the value
     */
    public void validateFor(KvCacheSpec spec) {
        InvalidRequestException.requireNonNull(spec, "spec");
        int want = spec.callerScaleCount();
        check("kScales", k, want, spec);
        check("vScales", v, want, spec);
    }

    private static void check(String field, float[] s, int want, KvCacheSpec spec) {
        if (s.length != want) {
            throw new InvalidRequestException(field + ".length", s.length,
                    "granularity " + spec.granularity() + " with numKvHeads=" + spec.numKvHeads()
                            + ", headDim=" + spec.headDim() + " needs " + want + " caller scales");
        }
        for (int i = 0; i < s.length; i++) {
            if (!Float.isFinite(s[i]) || s[i] <= 0f) {
                throw new InvalidRequestException(field + "[" + i + "]", s[i], "scales must be finite and > 0");
            }
        }
    }

    @Override
    public String toString() {
        return "KvScales{k=" + Arrays.toString(k) + ", v=" + Arrays.toString(v) + "}";
    }
}
