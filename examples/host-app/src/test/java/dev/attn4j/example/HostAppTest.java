package dev.attn4j.example;

import dev.attn4j.api.AttentionBackend;
import dev.attn4j.api.AttentionOptions;
import dev.attn4j.api.AttentionShape;
import dev.attn4j.api.BatchLayout;
import dev.attn4j.api.DType;
import dev.attn4j.api.Feature;
import dev.attn4j.api.KvCache;
import dev.attn4j.api.KvCacheSpec;
import dev.attn4j.api.KvDType;
import dev.attn4j.api.KvLayout;
import dev.attn4j.api.KvScales;
import dev.attn4j.api.PlanRequest;
import dev.attn4j.api.Requirements;
import dev.attn4j.api.ScaleGranularity;
import dev.attn4j.selector.BackendSelector;
import dev.attn4j.selector.Selection;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The example does what its comments say: its slots and kvLens put each token where attention
 * finds it, so prefill and decode match causal attention computed in float64 from the same
 * activations (tolerance: int8 per-token quantization of K and V, bf16 inputs and output).
 */
class HostAppTest {
    private static final double TOLERANCE = 2e-2;

    @Test
    void mainRunsAndSaysWhatItDid() {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            HostApp.main(new String[0]);
        } finally {
            System.setOut(old);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        assertTrue(out.startsWith("backend: cpu\nprefill: 25 rows\ndecode: 2 rows, out[0] = "), out);
    }

    @Test
    void prefillAndDecodeMatchAFloat64ForwardPass() {
        KvCacheSpec spec = new KvCacheSpec(64, HostApp.BLOCK_SIZE, HostApp.KV_HEADS, HostApp.HEAD_DIM,
                KvDType.INT8, ScaleGranularity.TOKEN, KvLayout.NHD);
        AttentionShape shape = AttentionShape.of(spec, HostApp.QO_HEADS, DType.BF16, AttentionOptions.CAUSAL);
        Requirements req = Requirements.of(shape, Feature.PREFILL, Feature.DECODE);
        try (Selection selection = BackendSelector.builder().build().select(req)) {
            AttentionBackend backend = selection.backend();
            try (KvCache cache = backend.createKvCache(spec)) {
                HostApp.append(backend, cache, new int[] {0, 0}, HostApp.PROMPT);
                float[] prefill = HostApp.attend(backend, cache,
                        PlanRequest.prefill(shape, BatchLayout.of(HostApp.PROMPT, HostApp.PROMPT, HostApp.BLOCK_IDS)));
                assertClose(reference(HostApp.PROMPT, HostApp.PROMPT), prefill, "prefill");

                int[] kvLens = {HostApp.PROMPT[0] + 1, HostApp.PROMPT[1] + 1};
                HostApp.append(backend, cache, HostApp.PROMPT, new int[] {1, 1});
                float[] decode = HostApp.attend(backend, cache,
                        PlanRequest.decode(shape, BatchLayout.decode(kvLens, HostApp.BLOCK_IDS)));
                assertClose(reference(new int[] {1, 1}, kvLens), decode, "decode");
            }
        }
    }

    /** Causal GQA attention in float64 over the exact activations, rows packed as the example packs them. */
    private static double[] reference(int[] qLens, int[] kvLens) {
        int h = HostApp.QO_HEADS, d = HostApp.HEAD_DIM, g = HostApp.QO_HEADS / HostApp.KV_HEADS;
        double[] out = new double[(qLens[0] + qLens[1]) * h * d];
        int row = 0;
        for (int s = 0; s < 2; s++) {
            for (int p = kvLens[s] - qLens[s]; p < kvLens[s]; p++, row++) {
                for (int head = 0; head < h; head++) {
                    double[] logits = new double[p + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j <= p; j++) {
                        double dot = 0;
                        for (int c = 0; c < d; c++) {
                            dot += HostApp.activation('q', s, p, head, c) * HostApp.activation('k', s, j, head / g, c);
                        }
                        logits[j] = dot / Math.sqrt(d);
                        max = Math.max(max, logits[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j <= p; j++) {
                        logits[j] = Math.exp(logits[j] - max);
                        sum += logits[j];
                    }
                    for (int c = 0; c < d; c++) {
                        double acc = 0;
                        for (int j = 0; j <= p; j++) {
                            acc += logits[j] * HostApp.activation('v', s, j, head / g, c);
                        }
                        out[(row * h + head) * d + c] = acc / sum;
                    }
                }
            }
        }
        return out;
    }

    private static void assertClose(double[] ref, float[] got, String what) {
        assertEquals(ref.length, got.length, what + " size");
        double err = 0, norm = 0;
        for (int i = 0; i < ref.length; i++) {
            err += (got[i] - ref[i]) * (got[i] - ref[i]);
            norm += ref[i] * ref[i];
        }
        double rel = Math.sqrt(err / norm);
        assertTrue(rel < TOLERANCE, what + ": relative L2 error " + rel);
    }
}
