package dev.attn4j.ilu;

import dev.attn4j.api.DType;
import dev.attn4j.api.KvCacheSpec;
import dev.attn4j.api.KvDType;
import dev.attn4j.api.ScaleGranularity;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The path a plan takes (no GPU needed): decode-shaped plans the decode kernel, prefills over a
 * 16-bit cache flash as is, prefills over an 8-bit cache the fp16 staging plus flash, and the
 * scalar fallback where the fast kernels do not apply; every name chosen is a kernel in the nvcc
 * image.
 */
class PathChoiceTest {

    static KvCacheSpec spec(KvDType kv, ScaleGranularity g, int headDim) {
        return KvCacheSpec.builder().numBlocks(4).blockSize(16).numKvHeads(8).headDim(headDim)
                .kvDtype(kv).granularity(g).build();
    }

    private static final KvCacheSpec INT8 = spec(KvDType.INT8, ScaleGranularity.TOKEN, 128);

    @Test
    void decodeShapedPlansTakeTheDecodeKernelWithFourOrEightRows() {
        PathChoice c = PathChoice.forShape(INT8, DType.BF16, 1, 4);
        assertEquals(PathChoice.Path.DECODE, c.path());
        assertEquals("attn4j_decode_int8_bf16_d128_r4", c.kernel());
        assertEquals("attn4j_decode_int8_bf16_d128_r8", PathChoice.forShape(INT8, DType.BF16, 1, 7).kernel());
        assertEquals("attn4j_decode_int8_bf16_d128_r8", PathChoice.forShape(INT8, DType.BF16, 2, 4).kernel());
        // G above 8: still decode (rows in chunks of 8), never the staging for a decode step.
        assertEquals(PathChoice.Path.DECODE, PathChoice.forShape(INT8, DType.BF16, 1, 16).path());
    }

    @Test
    void prefillsOf8BitCachesStageAnd16BitCachesAreReadAsIs() {
        PathChoice staged = PathChoice.forShape(INT8, DType.BF16, 64, 4);
        assertEquals(PathChoice.Path.STAGED_FLASH, staged.path());
        assertEquals("attn4j_flash_fp16_bf16_d128", staged.kernel());
        assertEquals(64, staged.rows());
        PathChoice direct = PathChoice.forShape(spec(KvDType.BF16, ScaleGranularity.NONE, 256), DType.BF16, 64, 4);
        assertEquals(PathChoice.Path.FLASH, direct.path());
        assertEquals(32, direct.rows());
        // A 16-bit cache of the other type is read as is too.
        PathChoice other = PathChoice.forShape(spec(KvDType.FP16, ScaleGranularity.NONE, 64), DType.BF16, 64, 4);
        assertEquals(PathChoice.Path.FLASH, other.path());
        assertEquals("attn4j_flash_fp16_bf16_d64", other.kernel());
    }

    @Test
    void theFallbackTakesWhatTheFastKernelsDoNotAndSaysWhy() {
        PathChoice d80 = PathChoice.forShape(spec(KvDType.INT8, ScaleGranularity.TOKEN, 80), DType.BF16, 64, 4);
        assertEquals(PathChoice.Path.GENERIC, d80.path());
        assertEquals("attn4j_attention_int8_bf16_h128", d80.kernel());
        assertTrue(d80.why().contains("head dim 80"), d80.why());
        PathChoice group4 = PathChoice.forShape(spec(KvDType.INT8, ScaleGranularity.tokenGroup(4), 128),
                DType.BF16, 1, 4);
        assertEquals(PathChoice.Path.GENERIC, group4.path());
        assertTrue(group4.why().contains("TOKEN_GROUP(4)"), group4.why());
        assertEquals(PathChoice.Path.DECODE, PathChoice.forShape(spec(KvDType.INT8, ScaleGranularity.tokenGroup(32), 128),
                DType.BF16, 1, 4).path());
        PathChoice groupPrefill = PathChoice.forShape(spec(KvDType.INT8, ScaleGranularity.tokenGroup(32), 128),
                DType.BF16, 64, 4);
        assertEquals(PathChoice.Path.GENERIC, groupPrefill.path());
        assertTrue(groupPrefill.why().contains("TOKEN_GROUP"), groupPrefill.why());
        PathChoice over = PathChoice.forShape(INT8, DType.BF16, 64, 4).overBudget(INT8, DType.BF16, 1000, 999);
        assertEquals(PathChoice.Path.GENERIC, over.path());
        assertTrue(over.why().contains("attn4j.ilu.maxStagingBytes=999"), over.why());
    }

    @Test
    void everyChosenNameIsAKernelOfTheNvccImage() {
        Optional<byte[]> image = IluImages.fromJar().nvidia();
        Assumptions.assumeTrue(image.isPresent(), "the nvcc image was not built (no nvcc)");
        String symbols = new String(image.get(), StandardCharsets.ISO_8859_1);
        for (KvDType kv : KvDType.values()) {
            for (DType q : new DType[] {DType.BF16, DType.FP16}) {
                for (int d : new int[] {64, 80, 128, 256}) {
                    ScaleGranularity g = kv.isQuantized() ? ScaleGranularity.TOKEN : ScaleGranularity.NONE;
                    KvCacheSpec s = spec(kv, g, d);
                    for (int[] shape : new int[][] {{1, 1}, {1, 4}, {1, 7}, {64, 4}, {64, 1}}) {
                        PathChoice c = PathChoice.forShape(s, q, shape[0], shape[1]);
                        assertTrue(symbols.contains(".text." + c.kernel() + "\0"), c.kernel() + " is not in the image");
                    }
                    if (kv.isQuantized()) {
                        assertTrue(symbols.contains(".text." + IluKernels.stage(kv) + "\0"), IluKernels.stage(kv));
                    }
                    assertTrue(symbols.contains(".text." + IluKernels.generic(kv, q, d) + "\0"), IluKernels.generic(kv, q, d));
                }
            }
        }
    }
}
