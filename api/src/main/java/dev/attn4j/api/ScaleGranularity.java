package dev.attn4j.api;

import java.util.Locale;
import java.util.Objects;

/**
 * How many scales a quantized cache has and who sets them. K and V always have separate scales.
 *
 * <table>
 *   <caption>granularities</caption>
 *   <tr><th>kind</th><th>scale shape (per K and per V)</th><th>set by</th></tr>
 *   <tr><td>NONE</td><td>none (16-bit caches)</td><td>-</td></tr>
 *   <tr><td>TENSOR</td><td>{@code [1]}</td><td>caller, at cache creation</td></tr>
 *   <tr><td>HEAD</td><td>{@code [numKvHeads]}</td><td>caller</td></tr>
 *   <tr><td>CHANNEL</td><td>{@code [numKvHeads][headDim]}</td><td>caller</td></tr>
 *   <tr><td>TOKEN</td><td>one per token and KV head, beside the pages</td><td>append: absmax / maxCode</td></tr>
 *   <tr><td>TOKEN_GROUP(g)</td><td>one per token, KV head and group of g channels</td><td>append</td></tr>
 * </table>
 *
 * Per-head and per-channel scales are indexed by <em>KV head</em>: with grouped-query attention
 * every query head of a group uses its KV head's scale.
 */
public final class ScaleGranularity {
    /** The kinds of granularity. */
    public enum Kind { NONE, TENSOR, HEAD, CHANNEL, TOKEN, TOKEN_GROUP }

    public static final ScaleGranularity NONE = new ScaleGranularity(Kind.NONE, 0);
    public static final ScaleGranularity TENSOR = new ScaleGranularity(Kind.TENSOR, 0);
    public static final ScaleGranularity HEAD = new ScaleGranularity(Kind.HEAD, 0);
    public static final ScaleGranularity CHANNEL = new ScaleGranularity(Kind.CHANNEL, 0);
    public static final ScaleGranularity TOKEN = new ScaleGranularity(Kind.TOKEN, 0);

    private final Kind kind;
    private final int groupSize;

    private ScaleGranularity(Kind kind, int groupSize) {
        this.kind = kind;
        this.groupSize = groupSize;
    }

    /** One scale per token, KV head and group of {@code g} consecutive channels; g must divide headDim. */
    public static ScaleGranularity tokenGroup(int g) {
        if (g < 1) {
            throw new InvalidRequestException("granularity.groupSize", g, "TOKEN_GROUP group size must be >= 1");
        }
        return new ScaleGranularity(Kind.TOKEN_GROUP, g);
    }

    public Kind kind() {
        return kind;
    }

    /** Channels per scale for TOKEN_GROUP; 0 for every other kind. */
    public int groupSize() {
        return groupSize;
    }

    /** True for TOKEN and TOKEN_GROUP: scales are computed by append and stored beside the pages. */
    public boolean isDynamic() {
        return kind == Kind.TOKEN || kind == Kind.TOKEN_GROUP;
    }

    /** True for TENSOR, HEAD and CHANNEL: scales come from the caller at cache creation. */
    public boolean isCallerSet() {
        return kind == Kind.TENSOR || kind == Kind.HEAD || kind == Kind.CHANNEL;
    }

    /** Number of caller-set scales per K (and per V) for a cache of this shape; 0 if dynamic or NONE. */
    public int callerScaleCount(int numKvHeads, int headDim) {
        switch (kind) {
            case TENSOR: return 1;
            case HEAD: return numKvHeads;
            case CHANNEL: return numKvHeads * headDim;
            default: return 0;
        }
    }

    /** Dynamic scales per token and KV head: 1 for TOKEN, headDim / g for TOKEN_GROUP, else 0. */
    public int dynamicScalesPerHead(int headDim) {
        switch (kind) {
            case TOKEN: return 1;
            case TOKEN_GROUP: return headDim / groupSize;
            default: return 0;
        }
    }

    /** Parses {@code tensor}, {@code head}, {@code channel}, {@code token}, {@code token_group(32)}, {@code none}. */
    public static ScaleGranularity parse(String text) {
        String t = text.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        if (t.startsWith("TOKEN_GROUP")) {
            String n = t.substring("TOKEN_GROUP".length()).replace("(", "").replace(")", "").replace(":", "").trim();
            try {
                return tokenGroup(Integer.parseInt(n));
            } catch (NumberFormatException e) {
                throw new InvalidRequestException("granularity", text, "expected token_group(g) with an integer g");
            }
        }
        for (Kind k : Kind.values()) {
            if (k != Kind.TOKEN_GROUP && k.name().equals(t)) {
                return new ScaleGranularity(k, 0);
            }
        }
        throw new InvalidRequestException("granularity", text,
                "unknown scale granularity; valid: none, tensor, head, channel, token, token_group(g)");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ScaleGranularity
                && ((ScaleGranularity) o).kind == kind
                && ((ScaleGranularity) o).groupSize == groupSize;
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, groupSize);
    }

    @Override
    public String toString() {
        return kind == Kind.TOKEN_GROUP ? "TOKEN_GROUP(" + groupSize + ")" : kind.name();
    }
}
