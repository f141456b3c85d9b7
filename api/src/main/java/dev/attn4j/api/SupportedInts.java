package dev.attn4j.api;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * A set of integers a backend supports for a dimension (head dims, block sizes, group sizes):
 * any positive value, an explicit list, or a range (optionally only multiples of a step).
 */
public final class SupportedInts {
    private final int min;
    private final int max;
    private final int step;
    private final int[] values;

    private SupportedInts(int min, int max, int step, int[] values) {
        this.min = min;
        this.max = max;
        this.step = step;
        this.values = values;
    }

    /** Every value >= 1. */
    public static SupportedInts any() {
        return new SupportedInts(1, Integer.MAX_VALUE, 1, null);
    }

    /** Exactly these values. */
    public static SupportedInts of(int... values) {
        int[] v = values.clone();
        Arrays.sort(v);
        return new SupportedInts(0, 0, 0, v);
    }

    /** {@code min..max} inclusive. */
    public static SupportedInts range(int min, int max) {
        return new SupportedInts(min, max, 1, null);
    }

    /** Multiples of {@code step} in {@code min..max} inclusive. */
    public static SupportedInts rangeMultipleOf(int min, int max, int step) {
        return new SupportedInts(min, max, step, null);
    }

    public boolean contains(int v) {
        if (values != null) {
            return Arrays.binarySearch(values, v) >= 0;
        }
        return v >= min && v <= max && v % step == 0;
    }

    @Override
    public String toString() {
        if (values != null) {
            return Arrays.stream(values).mapToObj(Integer::toString).collect(Collectors.joining(", ", "{", "}"));
        }
        String r = min + ".." + (max == Integer.MAX_VALUE ? "" : Integer.toString(max));
        return step > 1 ? "multiples of " + step + " in " + r : r;
    }
}
