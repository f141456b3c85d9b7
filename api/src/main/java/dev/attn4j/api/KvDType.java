package dev.attn4j.api;

/**
 * How K and V are stored in a paged cache.
 *
 * <ul>
 *   <li>{@link #BF16}, {@link #FP16}: stored as is; no scale ({@link ScaleGranularity#NONE}).
 *   <li>{@link #INT8}: symmetric, {@code x = q * s}, {@code q} in [-127, 127] (-128 is never written).
 *   <li>{@link #FP8_E4M3} (OCP e4m3fn: max 448, no infinities) and {@link #FP8_E5M2} (max 57344):
 *       {@code x = f * s}.
 * </ul>
 *
 * Quantization divides by the scale, rounds to nearest (ties to even) and saturates at the
 * format's largest finite value ({@link #maxCode()}).
 */
public enum KvDType {
    BF16(DType.BF16, 0),
    FP16(DType.FP16, 0),
    INT8(DType.INT8, 127),
    FP8_E4M3(DType.FP8_E4M3, 448),
    FP8_E5M2(DType.FP8_E5M2, 57344);

    private final DType storage;
    private final double maxCode;

    KvDType(DType storage, double maxCode) {
        this.storage = storage;
        this.maxCode = maxCode;
    }

    /** The element type of the cache tensors. */
    public DType storage() {
        return storage;
    }

    /** True when the cache stores codes that need a scale. */
    public boolean isQuantized() {
        return maxCode > 0;
    }

    /**
     * The largest finite magnitude a code represents (127, 448, 57344); dynamic scales are
     * {@code absmax / maxCode()}. Zero for the 16-bit types.
     */
    public double maxCode() {
        return maxCode;
    }

    /** Parses {@code int8}, {@code fp8-e4m3}, {@code FP8_E4M3}, {@code bf16}, ... case-insensitively. */
    public static KvDType parse(String text) {
        String t = text.trim().toUpperCase(java.util.Locale.ROOT).replace('-', '_');
        for (KvDType d : values()) {
            if (d.name().equals(t)) {
                return d;
            }
        }
        throw new InvalidRequestException("kvDtype", text,
                "unknown KV dtype; valid: bf16, fp16, int8, fp8-e4m3, fp8-e5m2");
    }
}
