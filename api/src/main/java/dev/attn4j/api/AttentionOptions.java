package dev.attn4j.api;

import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * Options of one attention call, fixed in the {@link Plan}.
 *
 * <ul>
 *   <li>{@code causal}: query at position {@code p} sees cache positions {@code <= p}
 *       (bottom-right aligned, see {@link BatchLayout}). Non-causal sees the whole cache of its
 *       sequence. Decode is the same either way.
 *   <li>{@code softmaxScale}: multiplies {@code q.k}; default {@code 1/sqrt(headDim)}.
 *   <li>{@code slidingWindow} {@code w}: a query at position {@code p} sees positions
 *       {@code > p - w}, i.e. at most the {@code w} most recent including itself (Mistral's /
 *       vLLM's {@code sliding_window}; FlashInfer's {@code window_left = w - 1}). Left side only.
 *   <li>{@code softCap} {@code c}: logits become {@code c * tanh(scale * q.k / c)} (Gemma 2), applied
 *       before masking and softmax.
 * </ul>
 *
 * The builder rejects a window {@code <= 0}, a soft-cap that is not finite and {@code > 0}, and a
 * softmax scale that is not finite and {@code > 0}.
 */
public final class AttentionOptions {
    /** Causal, default scale, no window, no soft-cap. */
    public static final AttentionOptions CAUSAL = builder().build();
    /** Non-causal, default scale, no window, no soft-cap. */
    public static final AttentionOptions NON_CAUSAL = builder().causal(false).build();

    private final boolean causal;
    private final double softmaxScale;
    private final int slidingWindow;
    private final double softCap;

    private AttentionOptions(Builder b) {
        this.causal = b.causal;
        this.softmaxScale = b.softmaxScale;
        this.slidingWindow = b.slidingWindow;
        this.softCap = b.softCap;
    }

    public static Builder builder() {
        return new Builder();
    }

    public boolean causal() {
        return causal;
    }

    /** The scale given, or empty for the default {@code 1/sqrt(headDim)}. */
    public OptionalDouble softmaxScale() {
        return Double.isNaN(softmaxScale) ? OptionalDouble.empty() : OptionalDouble.of(softmaxScale);
    }

    /** The scale in effect for a head dim. */
    public double softmaxScale(int headDim) {
        return Double.isNaN(softmaxScale) ? 1.0 / Math.sqrt(headDim) : softmaxScale;
    }

    public OptionalInt slidingWindow() {
        return slidingWindow == 0 ? OptionalInt.empty() : OptionalInt.of(slidingWindow);
    }

    public OptionalDouble softCap() {
        return softCap == 0 ? OptionalDouble.empty() : OptionalDouble.of(softCap);
    }

    @Override
    public String toString() {
        return "AttentionOptions{causal=" + causal
                + (Double.isNaN(softmaxScale) ? "" : ", scale=" + softmaxScale)
                + (slidingWindow == 0 ? "" : ", window=" + slidingWindow)
                + (softCap == 0 ? "" : ", softCap=" + softCap) + "}";
    }

    /** Builder; defaults: causal, default scale, no window, no soft-cap. */
    public static final class Builder {
        private boolean causal = true;
        private double softmaxScale = Double.NaN;
        private int slidingWindow;
        private double softCap;

        private Builder() {
        }

        public Builder causal(boolean v) {
            causal = v;
            return this;
        }

        public Builder softmaxScale(double v) {
            softmaxScale = positiveFloat("options.softmaxScale", v);
            return this;
        }

        /**
         * Kernels compute in float32: a value must stay finite and above zero as a float (1e300 would
         * become infinity, 1e-300 zero, which would silently turn a soft-cap off).
         */
        private static double positiveFloat(String field, double v) {
            float f = (float) v;
            if (!Double.isFinite(v) || v <= 0 || !Float.isFinite(f) || f < Float.MIN_NORMAL) {
                throw new InvalidRequestException(field, v, "must be finite and > 0 as a float32 (in ["
                        + Float.MIN_NORMAL + ", " + Float.MAX_VALUE + "])");
            }
            return v;
        }

        public Builder slidingWindow(int w) {
            if (w <= 0) {
                throw new InvalidRequestException("options.slidingWindow", w, "must be >= 1 (tokens seen, including itself)");
            }
            slidingWindow = w;
            return this;
        }

        public Builder softCap(double c) {
            softCap = positiveFloat("options.softCap", c);
            return this;
        }

        public AttentionOptions build() {
            return new AttentionOptions(this);
        }
    }
}
