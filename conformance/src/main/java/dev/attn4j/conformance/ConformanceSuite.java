package dev.attn4j.conformance;

import dev.attn4j.api.AttentionBackend;
import dev.attn4j.api.AttentionOptions;
import dev.attn4j.api.CapabilityCheck;
import dev.attn4j.api.DType;
import dev.attn4j.api.Feature;
import dev.attn4j.api.KvDType;
import dev.attn4j.api.KvLayout;
import dev.attn4j.api.Requirements;
import dev.attn4j.api.ScaleGranularity;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The case matrix and the loop that runs it. {@link #full()} covers DESIGN.md "Numerics and
 * tests": every KV dtype x granularity x layout x operation, head dims 64/80/96/128/256, group
 * sizes 1, 4, 5, 6, 7, 8 and MQA, block sizes 1 to 256 with partial last blocks and shuffled
 * tables, BF16 and FP16 queries, chunked prefill, mixed-length batches, shared prefixes, the
 * options (non-causal, sliding window, soft-cap, custom scale, no LSE), and the regressions found
 * in peer kernels' reviews (V read with K's scale; HEAD/CHANNEL scales indexed by query head; group
 * sizes that are not powers of two). {@link #quick()} is a small subset for start-up validation;
 * {@link #forRequirements} builds the exact configuration a host asked for.
 */
public final class ConformanceSuite {
    private ConformanceSuite() {
    }

    /** Every KV format: 16-bit caches, and each quantized dtype with each granularity. */
    public static List<ConformanceCase.Builder> formats(int headDim) {
        List<ConformanceCase.Builder> out = new ArrayList<>();
        out.add(ConformanceCase.builder().format(KvDType.BF16, ScaleGranularity.NONE));
        out.add(ConformanceCase.builder().format(KvDType.FP16, ScaleGranularity.NONE));
        for (KvDType t : List.of(KvDType.INT8, KvDType.FP8_E4M3, KvDType.FP8_E5M2)) {
            for (ScaleGranularity g : granularities(headDim)) {
                out.add(ConformanceCase.builder().format(t, g));
            }
        }
        return out;
    }

    private static List<ScaleGranularity> granularities(int headDim) {
        return List.of(ScaleGranularity.TENSOR, ScaleGranularity.HEAD, ScaleGranularity.CHANNEL,
                ScaleGranularity.TOKEN, ScaleGranularity.tokenGroup(headDim >= 64 ? 32 : headDim / 2));
    }

    private static ConformanceCase.Builder fmt(KvDType t, ScaleGranularity g) {
        return ConformanceCase.builder().format(t, g);
    }

    /** The full matrix: several hundred cases. */
    public static List<ConformanceCase> full() {
        Map<String, ConformanceCase> cases = new LinkedHashMap<>();
        // 1. Every format x layout x operation (chunked prefill over prefixes; mixed-length decode).
        for (ConformanceCase.Builder f : formats(128)) {
            for (KvLayout layout : KvLayout.values()) {
                add(cases, f.tag("format").layout(layout).prefill(new int[] {13, 1, 40}, new int[] {77, 33, 40}).build());
                add(cases, f.tag("format").layout(layout).decode(77, 1, 130, 16).build());
            }
        }
        // 2. Every format with FP16 queries (and FP16 outputs).
        for (ConformanceCase.Builder f : formats(128)) {
            for (KvLayout layout : KvLayout.values()) {
                add(cases, f.tag("fp16-query").queryDtype(DType.FP16).layout(layout)
                        .prefill(new int[] {9, 20}, new int[] {50, 20}).build());
                add(cases, f.tag("fp16-query").queryDtype(DType.FP16).layout(layout).decode(45, 90).build());
            }
        }
        // 3. Head dims, incl. the 80/96 of real models.
        for (int d : new int[] {64, 80, 96, 128, 256}) {
            for (ConformanceCase.Builder f : List.of(fmt(KvDType.BF16, ScaleGranularity.NONE),
                    fmt(KvDType.INT8, ScaleGranularity.TOKEN), fmt(KvDType.FP8_E4M3, ScaleGranularity.TENSOR),
                    fmt(KvDType.INT8, ScaleGranularity.tokenGroup(16)))) {
                for (KvLayout layout : KvLayout.values()) {
                    add(cases, f.tag("head-dim").headDim(d).layout(layout)
                            .prefill(new int[] {7, 18}, new int[] {40, 18}).build());
                    add(cases, f.tag("head-dim").headDim(d).layout(layout).decode(60, 3).build());
                }
            }
        }
        //    FP16 caches with FP16 queries at every tensor-core head dim (d256: the 2-warp decode blocks).
        for (int d : new int[] {64, 128, 256}) {
            ConformanceCase.Builder f = fmt(KvDType.FP16, ScaleGranularity.NONE).tag("head-dim").headDim(d).queryDtype(DType.FP16);
            add(cases, f.layout(KvLayout.HND).prefill(new int[] {7, 18}, new int[] {40, 18}).build());
            add(cases, f.layout(KvLayout.NHD).decode(60, 3, 200).build());
        }
        // 4. Group sizes incl. 5, 6, 7 and MQA; HEAD and CHANNEL scales must follow the KV head.
        int[][] heads = {{4, 4}, {8, 2}, {10, 2}, {12, 2}, {14, 2}, {16, 2}, {8, 1}, {7, 1}, {32, 8}};
        for (int[] hv : heads) {
            for (ConformanceCase.Builder f : List.of(fmt(KvDType.INT8, ScaleGranularity.HEAD),
                    fmt(KvDType.INT8, ScaleGranularity.CHANNEL), fmt(KvDType.FP8_E4M3, ScaleGranularity.HEAD),
                    fmt(KvDType.FP8_E5M2, ScaleGranularity.CHANNEL), fmt(KvDType.FP16, ScaleGranularity.NONE))) {
                add(cases, f.tag("group-size").heads(hv[0], hv[1]).headDim(64)
                        .prefill(new int[] {11, 6}, new int[] {45, 6}).build());
                add(cases, f.tag("group-size").heads(hv[0], hv[1]).headDim(64).layout(KvLayout.HND)
                        .decode(70, 9).build());
            }
        }
        // 5. Block sizes 1..256, partial last blocks, shuffled and ordered tables.
        for (int bs : new int[] {1, 3, 8, 16, 64, 256}) {
            for (ConformanceCase.Builder f : List.of(fmt(KvDType.INT8, ScaleGranularity.TOKEN),
                    fmt(KvDType.FP8_E5M2, ScaleGranularity.CHANNEL), fmt(KvDType.BF16, ScaleGranularity.NONE),
                    fmt(KvDType.FP8_E4M3, ScaleGranularity.tokenGroup(32)))) {
                for (KvLayout layout : KvLayout.values()) {
                    add(cases, f.tag("block-size").blockSize(bs).layout(layout).headDim(64)
                            .prefill(new int[] {5, 12}, new int[] {bs + 6, 12}).build());
                    add(cases, f.tag("block-size").blockSize(bs).layout(layout).headDim(64)
                            .decode(2 * bs + 5, bs - 1 > 0 ? bs - 1 : 1, 300).build());
                }
                add(cases, f.tag("block-size").blockSize(bs).headDim(64).shuffleBlocks(false).decode(bs + 1, 7).build());
            }
        }
        // 6. Options: non-causal, sliding windows, soft-caps, custom scale, together; LSE off.
        List<AttentionOptions> options = List.of(
                AttentionOptions.NON_CAUSAL,
                AttentionOptions.builder().slidingWindow(1).build(),
                AttentionOptions.builder().slidingWindow(7).build(),
                AttentionOptions.builder().slidingWindow(50).build(),
                AttentionOptions.builder().softCap(30).build(),
                AttentionOptions.builder().softCap(2.5).build(),
                AttentionOptions.builder().softmaxScale(0.05).build(),
                AttentionOptions.builder().causal(false).slidingWindow(20).softCap(10).build(),
                AttentionOptions.builder().slidingWindow(16).softCap(20).softmaxScale(0.1).build());
        for (AttentionOptions o : options) {
            for (ConformanceCase.Builder f : List.of(fmt(KvDType.INT8, ScaleGranularity.CHANNEL),
                    fmt(KvDType.FP8_E4M3, ScaleGranularity.TOKEN), fmt(KvDType.BF16, ScaleGranularity.NONE))) {
                for (KvLayout layout : KvLayout.values()) {
                    add(cases, f.tag("options").options(o).layout(layout)
                            .prefill(new int[] {30, 4}, new int[] {90, 4}).build());
                    add(cases, f.tag("options").options(o).layout(layout).decode(90, 5).build());
                }
            }
        }
        // 7. Batch shapes: pure prefill, single long prefix, many short decodes, length-1 caches,
        //    a shared prefix, no LSE.
        for (ConformanceCase.Builder f : List.of(fmt(KvDType.INT8, ScaleGranularity.TOKEN),
                fmt(KvDType.FP8_E4M3, ScaleGranularity.HEAD), fmt(KvDType.FP16, ScaleGranularity.NONE))) {
            for (KvLayout layout : KvLayout.values()) {
                ConformanceCase.Builder b = f.tag("batch").layout(layout);
                add(cases, b.prefill(new int[] {150}, new int[] {150}).build());
                add(cases, b.prefill(new int[] {17}, new int[] {600}).build());
                add(cases, b.prefill(new int[] {1, 1, 1}, new int[] {1, 2, 3}).build());
                add(cases, b.decode(1, 700, 5, 33, 64, 65, 2, 129, 17, 300, 8, 1, 90, 4, 250, 31).build());
                add(cases, b.decode(1).build());
                add(cases, b.sharedPrefixBlocks(3).prefill(new int[] {10, 7}, new int[] {60, 70}).build());
                add(cases, b.sharedPrefixBlocks(2).decode(40, 50, 20).build());
                add(cases, b.sharedPrefixBlocks(0).withLse(false).prefill(new int[] {20, 3}, new int[] {20, 45}).build());
                b.withLse(true);
            }
        }
        // 8. K scale != V scale, by a lot, in both directions; saturating caller scales.
        for (KvDType t : List.of(KvDType.INT8, KvDType.FP8_E4M3, KvDType.FP8_E5M2)) {
            for (ScaleGranularity g : List.of(ScaleGranularity.TENSOR, ScaleGranularity.HEAD, ScaleGranularity.CHANNEL)) {
                for (double vmag : new double[] {0.05, 20}) {
                    add(cases, fmt(t, g).tag("kv-scales").vMagnitude(vmag).prefill(new int[] {8, 3}, new int[] {40, 3}).build());
                    add(cases, fmt(t, g).tag("kv-scales").vMagnitude(vmag).layout(KvLayout.HND).decode(40, 21).build());
                }
                add(cases, fmt(t, g).tag("saturating").scaleFactor(0.5).decode(30, 12).build());
            }
        }
        // 9. Magnitudes that grow or shrink along the sequence by 10^4 (V; K by 10): online-softmax
        //    and per-token V-scale rescaling, in decode and prefill, for group sizes that take the
        //    decode path (G <= 8) and the row-tiled path (G = 16) of tensor-core backends.
        for (double ramp : new double[] {1e4, 1e-4}) {
            for (ConformanceCase.Builder f : List.of(fmt(KvDType.INT8, ScaleGranularity.TOKEN),
                    fmt(KvDType.FP8_E4M3, ScaleGranularity.TOKEN), fmt(KvDType.FP8_E5M2, ScaleGranularity.HEAD),
                    fmt(KvDType.BF16, ScaleGranularity.NONE))) {
                for (int[] hv : new int[][] {{8, 2}, {32, 2}}) {
                    add(cases, f.tag("ramp").ramp(ramp).heads(hv[0], hv[1]).headDim(128).decode(700, 130, 1).build());
                    add(cases, f.tag("ramp").ramp(ramp).heads(hv[0], hv[1]).headDim(64)
                            .prefill(new int[] {70, 5}, new int[] {300, 5}).build());
                }
            }
        }
        // 10. Short multi-token steps (speculative decoding): query tokens x G <= 8 per sequence, so
        //     one work item mixes query positions under the causal mask.
        for (ConformanceCase.Builder f : List.of(fmt(KvDType.INT8, ScaleGranularity.TOKEN),
                fmt(KvDType.FP8_E4M3, ScaleGranularity.TENSOR), fmt(KvDType.BF16, ScaleGranularity.NONE))) {
            for (int[] hv : new int[][] {{8, 2}, {4, 2}, {2, 2}}) {
                int q = 8 / (hv[0] / hv[1]);
                add(cases, f.tag("spec-decode").heads(hv[0], hv[1]).options(AttentionOptions.CAUSAL).prefill(new int[] {q, q, 1}, new int[] {150, q + 3, 40}).build());
                add(cases, f.tag("spec-decode").heads(hv[0], hv[1]).options(AttentionOptions.builder().slidingWindow(5).build())
                        .prefill(new int[] {q, 2}, new int[] {90, 2}).build());
            }
        }
        // 11. Non-finite K and V (NaN, +Inf, -Inf) appended into every 8-bit format and scale kind:
        //     NaN is stored as code 0, infinities saturate, and neither sets a dynamic scale.
        for (KvDType t : List.of(KvDType.INT8, KvDType.FP8_E4M3, KvDType.FP8_E5M2)) {
            for (ScaleGranularity g : List.of(ScaleGranularity.TOKEN, ScaleGranularity.tokenGroup(16),
                    ScaleGranularity.TENSOR, ScaleGranularity.CHANNEL)) {
                add(cases, fmt(t, g).tag("non-finite").nonFinite(true).decode(60, 13).build());
                add(cases, fmt(t, g).tag("non-finite").nonFinite(true).layout(KvLayout.HND)
                        .prefill(new int[] {9, 4}, new int[] {40, 4}).build());
            }
        }
        // 12. TOKEN_GROUP widths a tensor-core backend sums differently: a group per 16-dim step,
        //     one or several 32-dim steps per group, the whole head.
        for (int d : new int[] {128, 256}) {
            for (int group : new int[] {16, 32, 64, 128, 256}) {
                if (group > d) continue;
                for (KvDType t : List.of(KvDType.INT8, KvDType.FP8_E4M3)) {
                    ConformanceCase.Builder f = fmt(t, ScaleGranularity.tokenGroup(group)).tag("group-width").headDim(d);
                    add(cases, f.decode(90, 300, 17).build());
                    add(cases, f.layout(KvLayout.HND).prefill(new int[] {6, 3}, new int[] {70, 3}).build());
                }
            }
        }
        // 13. One long sequence split a hundred ways or more (split-KV on a GPU: merged by the merge
        //     kernel or in place by the unit's last item), at packed rows of 1 ... 8 and head dims
        //     64 ... 256, so every way the merge lays its threads over rows and channels is run; a
        //     sliding window over it, and a second, short sequence that is not split.
        add(cases, fmt(KvDType.INT8, ScaleGranularity.TOKEN).tag("long-split").heads(8, 1).headDim(128).decode(20000).build());
        add(cases, fmt(KvDType.FP8_E4M3, ScaleGranularity.TENSOR).tag("long-split").heads(2, 2).headDim(64)
                .decode(20000, 3).build());
        add(cases, fmt(KvDType.BF16, ScaleGranularity.NONE).tag("long-split").heads(4, 1).headDim(256).decode(20000).build());
        //     (head dim 80: the GPU merge's last slice of channels is a partial one)
        add(cases, fmt(KvDType.BF16, ScaleGranularity.NONE).tag("long-split").heads(4, 1).headDim(80).decode(20000).build());
        add(cases, fmt(KvDType.INT8, ScaleGranularity.tokenGroup(32)).tag("long-split").heads(7, 1).headDim(128)
                .layout(KvLayout.HND).decode(20000).build());
        add(cases, fmt(KvDType.FP16, ScaleGranularity.NONE).tag("long-split").queryDtype(DType.FP16).heads(8, 2).headDim(128)
                .decode(12000, 40).build());
        add(cases, fmt(KvDType.INT8, ScaleGranularity.CHANNEL).tag("long-split").heads(4, 1).headDim(128)
                .options(AttentionOptions.builder().slidingWindow(3000).softCap(20).build()).decode(20000).build());
        //     Sixteen sequences of 1500 tokens and 4 KV heads: 64 units, split a few ways each on a large
        //     GPU (cuda merges those in place, in the kernel), at packed rows 1, 2 and 8.
        int[] sixteen = new int[16];
        java.util.Arrays.fill(sixteen, 1500);
        add(cases, fmt(KvDType.BF16, ScaleGranularity.NONE).tag("long-split").heads(8, 4).headDim(256).decode(sixteen).build());
        add(cases, fmt(KvDType.INT8, ScaleGranularity.TOKEN).tag("long-split").heads(4, 4).headDim(64).decode(sixteen).build());
        add(cases, fmt(KvDType.FP8_E4M3, ScaleGranularity.TENSOR).tag("long-split").heads(32, 4).headDim(128)
                .layout(KvLayout.HND).decode(sixteen).build());
        //     Two long sequences over 8 KV heads: 16 units, each split thirty ways or more on a large
        //     GPU and long enough that cuda's decode items claim the unit's last stages as they free
        //     up (claimed_stages.cuh, CudaKernels.claimsStages); with TOKEN_GROUP scales and a
        //     sliding window too. G = 1 and head dim 64 keep the reference's work small.
        add(cases, fmt(KvDType.INT8, ScaleGranularity.TOKEN).tag("long-split").heads(8, 8).headDim(64)
                .decode(20000, 16000).build());
        add(cases, fmt(KvDType.INT8, ScaleGranularity.tokenGroup(32)).tag("long-split").heads(8, 8).headDim(64)
                .layout(KvLayout.HND).options(AttentionOptions.builder().slidingWindow(18000).build())
                .decode(20000, 16000).build());
        return new ArrayList<>(cases.values());
    }

    /**
     * A small subset for start-up validation: each KV dtype, both layouts, prefill and decode,
     * a group size of 5, dynamic and caller scales.
     */
    public static List<ConformanceCase> quick() {
        List<ConformanceCase> out = new ArrayList<>();
        out.add(fmt(KvDType.BF16, ScaleGranularity.NONE).tag("quick").headDim(64).prefill(new int[] {9, 4}, new int[] {30, 4}).build());
        out.add(fmt(KvDType.FP16, ScaleGranularity.NONE).tag("quick").headDim(64).queryDtype(DType.FP16).decode(40, 7).build());
        out.add(fmt(KvDType.INT8, ScaleGranularity.TOKEN).tag("quick").headDim(64).heads(10, 2).layout(KvLayout.HND)
                .prefill(new int[] {9, 4}, new int[] {30, 4}).build());
        out.add(fmt(KvDType.INT8, ScaleGranularity.HEAD).tag("quick").headDim(64).heads(10, 2).decode(40, 7).build());
        out.add(fmt(KvDType.FP8_E4M3, ScaleGranularity.TENSOR).tag("quick").headDim(64).decode(40, 7).build());
        out.add(fmt(KvDType.FP8_E4M3, ScaleGranularity.CHANNEL).tag("quick").headDim(64).layout(KvLayout.HND)
                .prefill(new int[] {9, 4}, new int[] {30, 4}).build());
        out.add(fmt(KvDType.FP8_E5M2, ScaleGranularity.tokenGroup(16)).tag("quick").headDim(64).decode(40, 7).build());
        out.add(fmt(KvDType.INT8, ScaleGranularity.TOKEN).tag("quick").headDim(128).blockSize(1).options(
                AttentionOptions.builder().slidingWindow(8).softCap(20).build()).decode(20, 3).build());
        out.add(fmt(KvDType.FP8_E4M3, ScaleGranularity.TOKEN).tag("quick").headDim(64).nonFinite(true)
                .decode(40, 7).build());
        return out;
    }

    /** The seed validation draws its data from: fixed, so a selection validates the same way every time. */
    public static final long VALIDATION_SEED = 0x5EED_A77E_2026L;

    /**
     * The cases that validate exactly one configuration (selection's validation step): the cache
     * format, heads, layout, block size and query dtype required, and cases for every kernel path
     * the backend may run for them, so that a backend wrong only on one path is not chosen:
     * <ul>
     *   <li>decode: a mixed batch with partial last blocks and a one-token sequence, one sequence of
     *       600 tokens (past 200, and long enough to be split into KV ranges of 256, split-KV,
     *       wherever a backend splits a small batch), and a sequence whose K/V magnitudes ramp
     *       (online-softmax rescaling);
     *   <li>prefill: 130 and 7 new tokens with no prefix (130 crosses a 128-row tile), and, when
     *       chunked prefill is required, chunks of 70 rows over a prefix and 2 rows (a speculative
     *       step, which GPU backends run as decode) over 300 tokens;
     *   <li>when required: sliding windows of 1, 7 and 33 tokens (an off-by-one is a large error at
     *       these sizes), a soft-cap of 2 (small enough to change the result), non-causal prefill;
     *   <li>the log-sum-exp on every case when LSE is required.
     * </ul>
     * Every case's own requirements are a subset of {@code r}: only what the backend said it supports.
     */
    public static List<ConformanceCase> forRequirements(Requirements r) {
        java.util.Set<Feature> f = r.features();
        boolean decode = f.contains(Feature.DECODE) || !f.contains(Feature.PREFILL);
        boolean prefill = f.contains(Feature.PREFILL) || !f.contains(Feature.DECODE);
        boolean chunked = prefill && (f.contains(Feature.CHUNKED_PREFILL) || !f.contains(Feature.PREFILL));
        boolean causal = f.contains(Feature.CAUSAL) || !f.contains(Feature.NON_CAUSAL);
        AttentionOptions base = causal ? AttentionOptions.CAUSAL : AttentionOptions.NON_CAUSAL;
        ConformanceCase.Builder b = ConformanceCase.builder().tag("validate").format(r.kvDtype(), r.granularity())
                .layout(r.layout()).headDim(r.headDim()).heads(r.numQoHeads(), r.numKvHeads())
                .blockSize(r.blockSize()).queryDtype(r.queryDtype()).options(base)
                .withLse(f.contains(Feature.LSE));
        int bs = r.blockSize();
        List<ConformanceCase> out = new ArrayList<>();
        List<Integer> windows = f.contains(Feature.SLIDING_WINDOW) ? List.of(1, 7, 33) : List.of();
        boolean softCap = f.contains(Feature.SOFT_CAP);
        if (decode) {
            out.add(b.decode(bs + 37, 5, 3 * bs, 1).build());
            out.add(b.decode(600).build());
            out.add(b.ramp(1e4).decode(300, 2 * bs + 3).build());
            b.ramp(1.0);
            for (int w : windows) {
                out.add(b.options(withWindow(base, w)).decode(w * 3 + bs + 5, 300).build());
            }
            if (softCap) {
                out.add(b.options(withSoftCap(base, 2)).decode(300, 2 * bs + 3).build());
            }
            b.options(base);
        }
        if (prefill) {
            out.add(b.prefill(new int[] {130, 7}, new int[] {130, 7}).build());
            if (chunked) {
                out.add(b.prefill(new int[] {70, 2}, new int[] {70 + bs + 11, 300}).build());
            }
            for (int w : windows) {
                out.add(b.options(withWindow(base, w)).prefill(new int[] {40, 16}, new int[] {chunked ? 200 : 40, 16})
                        .build());
            }
            if (softCap) {
                out.add(b.options(withSoftCap(base, 2)).prefill(new int[] {33}, new int[] {chunked ? 33 + bs : 33})
                        .build());
            }
            if (f.contains(Feature.NON_CAUSAL) && causal) {
                out.add(b.options(AttentionOptions.NON_CAUSAL).prefill(new int[] {20, 5}, new int[] {20, 5}).build());
            }
            b.options(base);
        }
        return out;
    }

    private static AttentionOptions withWindow(AttentionOptions base, int w) {
        return AttentionOptions.builder().causal(base.causal()).slidingWindow(w).build();
    }

    private static AttentionOptions withSoftCap(AttentionOptions base, double c) {
        return AttentionOptions.builder().causal(base.causal()).softCap(c).build();
    }

    /**
     * Runs cases on a backend. Cases the backend does not support ({@link AttentionBackend#check})
     * are SKIPPED with the reasons. Case {@code i} draws its data from {@code seed + i}.
     */
    public static SuiteReport run(AttentionBackend backend, List<ConformanceCase> cases, long seed,
                                  Consumer<CaseResult> onResult) {
        List<CaseResult> results = new ArrayList<>(cases.size());
        for (int i = 0; i < cases.size(); i++) {
            ConformanceCase c = cases.get(i);
            CaseResult r = runOne(backend, c, seed + i);
            results.add(r);
            onResult.accept(r);
        }
        return new SuiteReport(backend.name(), seed, results);
    }

    /** Runs one case, or skips it with the reasons if the backend does not support it. */
    public static CaseResult runOne(AttentionBackend backend, ConformanceCase c, long seed) {
        CapabilityCheck check = backend.check(c.requirements());
        if (!check.supported()) {
            return new CaseResult(c.id(), CaseResult.Status.SKIPPED, 0, 0, 0, 0, 0,
                    String.join("; ", check.reasons()), seed, 0);
        }
        return CaseRunner.run(backend, c, seed);
    }

    /** The seed from {@code attn4j.conformance.seed}, else a fresh one (printed with every report). */
    public static long defaultSeed() {
        String s = System.getProperty("attn4j.conformance.seed");
        return s != null ? Long.parseLong(s.trim()) : System.nanoTime();
    }

    /**
     * Whether a device test runs {@code c}: every case, unless {@code attn4j.conformance.only} names
     * a part of the ids to keep (e.g. {@code non-finite}), so a slow tool such as compute-sanitizer
     * can go through the cases that reach one kernel. Seeds stay those of the whole suite.
     */
    public static boolean isSelected(ConformanceCase c) {
        String only = System.getProperty("attn4j.conformance.only");
        return only == null || only.isBlank() || c.id().contains(only.trim());
    }

    private static void add(Map<String, ConformanceCase> cases, ConformanceCase c) {
        cases.putIfAbsent(c.id(), c);
    }
}
