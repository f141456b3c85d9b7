package dev.attn4j.cli;

import dev.attn4j.api.DType;
import dev.attn4j.api.Feature;
import dev.attn4j.api.KvDType;
import dev.attn4j.api.KvLayout;
import dev.attn4j.api.Requirements;
import dev.attn4j.api.ScaleGranularity;

import java.util.EnumSet;

/**
 * The requirements {@code backends}, {@code verify} and the no-argument run select for: a typical
 * serving configuration (Llama 3 8B with an int8 cache), so "which backend do I get" is answered for
 * a realistic engine rather than for the easiest possible case.
 */
final class DefaultRequirements {
    private DefaultRequirements() {
    }

    /** 32 query / 8 KV heads of dim 128, INT8 with TOKEN scales, NHD, block 16, BF16 queries. */
    static Requirements llama3_8b() {
        return new Requirements(128, 32, 8, KvDType.INT8, ScaleGranularity.TOKEN, KvLayout.NHD, 16, DType.BF16,
                EnumSet.of(Feature.PREFILL, Feature.DECODE, Feature.CHUNKED_PREFILL, Feature.CAUSAL, Feature.LSE));
    }
}
