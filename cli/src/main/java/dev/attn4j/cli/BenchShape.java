package dev.attn4j.cli;

import dev.attn4j.api.AttentionOptions;
import dev.attn4j.api.InvalidRequestException;
import dev.attn4j.api.KvLayout;

import java.util.Locale;

/**
 * The attention shape one bench run measures: a named model's ({@link ModelShape}) or any other,
 * from {@code --heads Q/KV}, {@code --head-dim}, {@code --soft-cap}, {@code --window} and
 * {@code --layout} given on top of it. The id names the model, or says the shape was custom.
 */
final class BenchShape {
    final String id;
    final int numQoHeads;
    final int numKvHeads;
    final int headDim;
    final double softCap;   // 0: none
    final int window;       // 0: none
    final KvLayout layout;

    BenchShape(String id, int numQoHeads, int numKvHeads, int headDim, double softCap, int window, KvLayout layout) {
        if (numKvHeads < 1 || numQoHeads < 1 || numQoHeads % numKvHeads != 0) {
            throw new InvalidRequestException("--heads", numQoHeads + "/" + numKvHeads,
                    "query heads must be a positive multiple of the KV heads");
        }
        if (headDim < 1) {
            throw new InvalidRequestException("--head-dim", headDim, "must be >= 1");
        }
        if (softCap < 0 || !Double.isFinite(softCap)) {
            throw new InvalidRequestException("--soft-cap", softCap, "must be finite and >= 0 (0: none)");
        }
        if (window < 0) {
            throw new InvalidRequestException("--window", window, "must be >= 0 (0: none)");
        }
        this.id = id;
        this.numQoHeads = numQoHeads;
        this.numKvHeads = numKvHeads;
        this.headDim = headDim;
        this.softCap = softCap;
        this.window = window;
        this.layout = layout;
    }

    static BenchShape of(ModelShape m) {
        return new BenchShape(m.id, m.numQoHeads, m.numKvHeads, m.headDim, m.softCap, 0, KvLayout.NHD);
    }

    /**
     * This shape with the given overrides (null: keep); the id becomes {@code custom} plus the
     * shape when any changes it.
     */
    BenchShape with(int[] heads, Integer dim, Double cap, Integer win, KvLayout lay) {
        int q = heads != null ? heads[0] : numQoHeads;
        int kv = heads != null ? heads[1] : numKvHeads;
        int d = dim != null ? dim : headDim;
        double c = cap != null ? cap : softCap;
        int w = win != null ? win : window;
        KvLayout l = lay != null ? lay : layout;
        boolean same = q == numQoHeads && kv == numKvHeads && d == headDim && c == softCap && w == window && l == layout;
        String name = same ? id : String.format(Locale.ROOT, "custom %d/%d d%d%s%s%s", q, kv, d,
                c > 0 ? " cap" + c : "", w > 0 ? " window" + w : "", l == KvLayout.HND ? " HND" : "");
        return new BenchShape(name, q, kv, d, c, w, l);
    }

    /** Causal, default scale, plus the soft-cap and window if set. */
    AttentionOptions options() {
        AttentionOptions.Builder b = AttentionOptions.builder().causal(true);
        if (softCap > 0) {
            b.softCap(softCap);
        }
        if (window > 0) {
            b.slidingWindow(window);
        }
        return b.build();
    }

    /** {@code 28/4} into {@code {28, 4}}. */
    static int[] parseHeads(String text) {
        String[] parts = text.trim().split("/");
        try {
            if (parts.length == 2) {
                return new int[] {Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim())};
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new InvalidRequestException("--heads", text, "must be QUERY/KV, e.g. 28/4");
    }
}
