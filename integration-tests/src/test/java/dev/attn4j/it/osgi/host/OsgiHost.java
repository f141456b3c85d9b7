package dev.attn4j.it.osgi.host;

import dev.attn4j.api.AttentionOptions;
import dev.attn4j.api.AttentionShape;
import dev.attn4j.api.DType;
import dev.attn4j.api.Feature;
import dev.attn4j.api.KvCacheSpec;
import dev.attn4j.api.KvDType;
import dev.attn4j.api.KvLayout;
import dev.attn4j.api.OpKind;
import dev.attn4j.api.Requirements;
import dev.attn4j.api.ScaleGranularity;
import dev.attn4j.conformance.CaseResult;
import dev.attn4j.conformance.ConformanceCase;
import dev.attn4j.conformance.ConformanceSuite;
import dev.attn4j.selector.BackendSelector;
import dev.attn4j.selector.CandidateReport;
import dev.attn4j.selector.Selection;

import java.util.Map;
import java.util.stream.Collectors;

/**
 * A host application inside an OSGi framework: a bundle of its own (OsgiFrameworkTest packs this
 * package with a hand-written manifest) that imports attn4j's packages like any other bundle and
 * knows no backend. Its one method selects a backend, through the Service Loader Mediator, and runs
 * a decode case against the float64 reference.
 */
public final class OsgiHost {
    private OsgiHost() {
    }

    /** {@code chosen=<name> decode=<status> candidates=<name:outcome,...>}; JDK types only cross the framework. */
    public static String selectAndDecode() {
        KvCacheSpec spec = new KvCacheSpec(64, 16, 2, 64, KvDType.INT8, ScaleGranularity.TOKEN, KvLayout.NHD);
        Requirements req = Requirements.of(AttentionShape.of(spec, 8, DType.BF16, AttentionOptions.CAUSAL), Feature.DECODE, Feature.CAUSAL);
        BackendSelector selector = BackendSelector.builder().environment(Map.of()).backendProperty(null).build();
        try (Selection selection = selector.select(req)) {
            ConformanceCase decode = ConformanceSuite.forRequirements(req).stream()
                    .filter(c -> c.op() == OpKind.DECODE).findFirst().orElseThrow();
            CaseResult r = ConformanceSuite.runOne(selection.backend(), decode, ConformanceSuite.defaultSeed());
            return "chosen=" + selection.backend().name() + " decode=" + r.status() + " candidates="
                    + selection.report().candidates().stream().map(c -> c.name() + ":" + c.outcome())
                            .collect(Collectors.joining(","))
                    + " reasons=" + selection.report().candidates().stream().map(CandidateReport::reason)
                            .collect(Collectors.joining(" | ")).replace('\n', ' ');
        }
    }
}
