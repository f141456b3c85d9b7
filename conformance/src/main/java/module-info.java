/** The float64 reference, the case generator and the conformance suite (a TCK) any backend runs. */
module dev.attn4j.conformance {
    requires transitive dev.attn4j.api;

    exports dev.attn4j.conformance;
    exports dev.attn4j.conformance.accuracy;
}
