package dev.attn4j.cuda;

import dev.attn4j.api.AttentionOptions;
import dev.attn4j.api.AttentionShape;
import dev.attn4j.api.BatchLayout;
import dev.attn4j.api.DType;
import dev.attn4j.api.KvCacheSpec;
import dev.attn4j.api.KvDType;
import dev.attn4j.api.PlanRequest;
import dev.attn4j.api.ScaleGranularity;
import dev.attn4j.api.support.ValidatedBatch;
import dev.attn4j.api.support.WorkSplit;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Which kernel a plan launches (no GPU needed): the decode kernel for items of at most 8 packed
 * rows, the flash kernel for larger items, the generic kernel where the tensor-core kernels do not
 * apply; and every name chosen is one that attn4j.cu instantiates.
 */
class CudaKernelsTest {

    private static KvCacheSpec spec(KvDType kv, ScaleGranularity g, int headDim) {
        return KvCacheSpec.builder().numBlocks(4).blockSize(16).numKvHeads(8).headDim(headDim)
                .kvDtype(kv).granularity(g).build();
    }

    @Test
    void decodeKernelTakesItemsOfAtMostEightRows() {
        KvCacheSpec int8 = spec(KvDType.INT8, ScaleGranularity.TOKEN, 128);
        assertEquals("attn4j_decode_int8_bf16_d128", CudaKernels.attentionFor(int8, DType.BF16, 4));
        assertEquals("attn4j_decode_int8_bf16_d128", CudaKernels.attentionFor(int8, DType.BF16, 8));
        assertEquals("attn4j_flash_int8_bf16_d128", CudaKernels.attentionFor(int8, DType.BF16, 9));
        assertEquals("attn4j_flash_int8_bf16_d128", CudaKernels.attentionFor(int8, DType.BF16, 64));
        assertEquals("attn4j_decode_bf16_bf16_d64",
                CudaKernels.attentionFor(spec(KvDType.BF16, ScaleGranularity.NONE, 64), DType.BF16, 7));
        assertEquals("attn4j_decode_e4m3_fp16_d256",
                CudaKernels.attentionFor(spec(KvDType.FP8_E4M3, ScaleGranularity.TENSOR, 256), DType.FP16, 1));
    }

    @Test
    void channelAndTokenGroupScalesRunOnTheDecodeKernel() {
        assertEquals("attn4j_decode_tg_int8_bf16_d128",
                CudaKernels.attentionFor(spec(KvDType.INT8, ScaleGranularity.tokenGroup(32), 128), DType.BF16, 4));
        assertEquals("attn4j_decode_tg_e5m2_fp16_d64",
                CudaKernels.attentionFor(spec(KvDType.FP8_E5M2, ScaleGranularity.tokenGroup(16), 64), DType.FP16, 7));
        assertEquals("attn4j_decode_tg_e4m3_bf16_d256",
                CudaKernels.attentionFor(spec(KvDType.FP8_E4M3, ScaleGranularity.tokenGroup(32), 256), DType.BF16, 8));
        assertEquals("attn4j_decode_int8_fp16_d256",
                CudaKernels.attentionFor(spec(KvDType.INT8, ScaleGranularity.CHANNEL, 256), DType.FP16, 2));
        KvCacheSpec channel = spec(KvDType.INT8, ScaleGranularity.CHANNEL, 128);
        assertEquals("attn4j_decode_int8_bf16_d128", CudaKernels.attentionFor(channel, DType.BF16, 4));
        assertEquals("attn4j_decode_e4m3_fp16_d64",
                CudaKernels.attentionFor(spec(KvDType.FP8_E4M3, ScaleGranularity.CHANNEL, 64), DType.FP16, 8));
        assertEquals("attn4j_attention_e4m3_fp16_c2",
                CudaKernels.attentionFor(spec(KvDType.FP8_E4M3, ScaleGranularity.CHANNEL, 64), DType.FP16, 64));
    }

    @Test
    void decodeKernelsMergeUnitsSplitAFewWaysInPlace() {
        // The launcher skips the merge launch for these: a kernel and split named here must merge split units itself.
        KvCacheSpec int8 = spec(KvDType.INT8, ScaleGranularity.TOKEN, 128);
        String decode = CudaKernels.attentionFor(int8, DType.BF16, 4);
        assertTrue(CudaKernels.mergesInPlace(decode, oneSequenceSplit(4096, 2), 4, 128));
        assertTrue(CudaKernels.mergesInPlace(decode, oneSequenceSplit(4096, CudaKernels.IN_PLACE_MAX_SPLITS), 4, 128));
        assertFalse(CudaKernels.mergesInPlace(decode, oneSequenceSplit(4096, CudaKernels.IN_PLACE_MAX_SPLITS + 1), 4, 128),
                "units split more ways go to the merge kernel");
        assertFalse(CudaKernels.mergesInPlace(decode, oneSequenceSplit(4096, 1), 4, 128), "nothing to merge");
        assertTrue(CudaKernels.mergesInPlace(
                CudaKernels.attentionFor(spec(KvDType.INT8, ScaleGranularity.tokenGroup(32), 128), DType.BF16, 4),
                oneSequenceSplit(4096, 3), 4, 128));
        assertFalse(CudaKernels.mergesInPlace(CudaKernels.attentionFor(int8, DType.BF16, 64), oneSequenceSplit(4096, 2), 4, 128));
        assertFalse(CudaKernels.mergesInPlace(CudaKernels.genericFor(int8, DType.BF16), oneSequenceSplit(4096, 2), 4, 128));
    }

    @Test
    void unitsOfSevenOrEightRowsAtD128MergeInPlaceUpToFourSplits() {
        // 7-8 rows x 32 runs take the block's 128 threads twice over the partials.
        String decode = CudaKernels.attentionFor(spec(KvDType.INT8, ScaleGranularity.TOKEN, 128), DType.BF16, 8);
        assertEquals(2, CudaKernels.inPlacePasses(7, 128));
        assertEquals(1, CudaKernels.inPlacePasses(4, 128));
        assertEquals(1, CudaKernels.inPlacePasses(8, 64));
        assertEquals(1, CudaKernels.inPlacePasses(2, 256), "d256 kernels keep one pass (not measured)");
        assertTrue(CudaKernels.mergesInPlace(decode, oneSequenceSplit(4096, 4), 8, 128));
        assertFalse(CudaKernels.mergesInPlace(decode, oneSequenceSplit(4096, 5), 7, 128));
        assertFalse(CudaKernels.mergesInPlace(decode, oneSequenceSplit(4096, 8), 8, 128));
        assertTrue(CudaKernels.mergesInPlace(decode, oneSequenceSplit(4096, 8), 4, 128));
    }

    /** A decode of one sequence of {@code len} tokens (one KV head) split {@code ways} ways. */
    private static WorkSplit oneSequenceSplit(int len, int ways) {
        KvCacheSpec spec = KvCacheSpec.builder().numBlocks(len / 16).blockSize(16).numKvHeads(1).headDim(128)
                .kvDtype(KvDType.INT8).granularity(ScaleGranularity.TOKEN).build();
        int[] blocks = java.util.stream.IntStream.range(0, len / 16).toArray();
        PlanRequest r = PlanRequest.decode(AttentionShape.of(spec, 4, DType.BF16, AttentionOptions.CAUSAL),
                BatchLayout.decode(new int[] {len}, new int[][] {blocks}));
        ValidatedBatch b = new ValidatedBatch(new int[] {0, 1}, new int[] {len}, new int[] {0, blocks.length}, blocks, 1, len,
                r.batch());
        WorkSplit split = new WorkSplit(r, b, ways, 256, 8);
        assertEquals(ways, split.items());
        return split;
    }

    @Test
    void genericKernelServesWhatTheTensorCoreKernelsDoNot() {
        assertEquals("attn4j_attention_int8_bf16_c4",
                CudaKernels.attentionFor(spec(KvDType.INT8, ScaleGranularity.tokenGroup(8), 128), DType.BF16, 4));
        assertEquals("attn4j_attention_int8_bf16_c8",
                CudaKernels.attentionFor(spec(KvDType.INT8, ScaleGranularity.tokenGroup(16), 256), DType.BF16, 4));
        assertEquals("attn4j_attention_int8_bf16_c4",
                CudaKernels.attentionFor(spec(KvDType.INT8, ScaleGranularity.tokenGroup(32), 128), DType.BF16, 16));
        assertEquals("attn4j_attention_e5m2_bf16_c4",
                CudaKernels.attentionFor(spec(KvDType.FP8_E5M2, ScaleGranularity.tokenGroup(32), 96), DType.BF16, 4));
        assertEquals("attn4j_attention_fp16_bf16_c4",
                CudaKernels.attentionFor(spec(KvDType.FP16, ScaleGranularity.NONE, 128), DType.BF16, 64));
    }

    @Test
    void blocksOfFourGibibytesOrMoreRunTheGenericKernel() {
        // 2^17 slots x 128 heads x 256 dims x 2 bytes = 8 GiB per block: beyond the ring's 32-bit offsets.
        KvCacheSpec huge = KvCacheSpec.builder().numBlocks(1).blockSize(1 << 17).numKvHeads(128).headDim(256)
                .kvDtype(KvDType.BF16).granularity(ScaleGranularity.NONE).build();
        assertEquals("attn4j_attention_bf16_bf16_c8", CudaKernels.attentionFor(huge, DType.BF16, 4));
        assertEquals(64, CudaKernels.itemRowCapacity(huge, DType.BF16));
        // One slot less than 4 GiB per block: still the tensor-core kernels (int8, 2^32 - 2^15 bytes).
        KvCacheSpec below = KvCacheSpec.builder().numBlocks(1).blockSize((1 << 17) - 1).numKvHeads(128).headDim(256)
                .kvDtype(KvDType.INT8).granularity(ScaleGranularity.TOKEN).build();
        assertEquals("attn4j_decode_int8_bf16_d256", CudaKernels.attentionFor(below, DType.BF16, 4));
        KvCacheSpec at = KvCacheSpec.builder().numBlocks(1).blockSize(1 << 17).numKvHeads(128).headDim(256)
                .kvDtype(KvDType.INT8).granularity(ScaleGranularity.CHANNEL).build();
        assertEquals("attn4j_attention_int8_bf16_c8", CudaKernels.attentionFor(at, DType.BF16, 4));
    }

    @Test
    void everyChosenNameIsInstantiated() throws IOException {
        String source = Files.readString(dev.attn4j.tck.KernelAbi.source("backend-cuda", "src/main/cuda/attn4j.cu"));
        for (KvDType kv : KvDType.values()) {
            for (DType q : new DType[] {DType.BF16, DType.FP16}) {
                for (int d : new int[] {64, 128, 256}) {
                    ScaleGranularity g = kv.isQuantized() ? ScaleGranularity.TOKEN : ScaleGranularity.NONE;
                    for (int rows : new int[] {1, 8, 64}) {
                        String name = CudaKernels.attentionFor(spec(kv, g, d), q, rows);
                        assertTrue(instantiated(source, name), name + " is not instantiated in attn4j.cu");
                    }
                }
            }
        }
    }

    /** Whether the macros of attn4j.cu expand to {@code name} (their invocations, matched by shape). */
    private static boolean instantiated(String source, String name) {
        Matcher m = Pattern.compile("attn4j_(decode|flash|attention)_(\\w+?)_(bf16|fp16)_(d|c)(\\d+)").matcher(name);
        assertTrue(m.matches(), name);
        String kind = m.group(1).toUpperCase(java.util.Locale.ROOT);
        String kv = m.group(2);
        String q = m.group(3);
        String macro = kind.equals("ATTENTION") ? "ATTN" : kind;
        // Either a per-query-type invocation (KIND_D(KV_X, x, Q_Y, y) / ATTN_CPL) or an all-query one (KIND_Q(KV_X, x)).
        boolean perQuery = source.contains(macro + "_D(KV_" + kv.toUpperCase(java.util.Locale.ROOT) + ", " + kv + ", Q_"
                + q.toUpperCase(java.util.Locale.ROOT) + ", " + q + ")");
        boolean allQueries = source.contains(macro + "_Q(KV_" + kv.toUpperCase(java.util.Locale.ROOT) + ", " + kv + ")");
        return perQuery || allQueries;
    }
}
