/**
 * Discovery, probing, capability matching, validation and choice of a backend. It finds backends with
 * {@link java.util.ServiceLoader}: on the module path every module that {@code provides}
 * {@code AttentionBackendProvider} is bound to it without {@code --add-modules}.
 */
module dev.attn4j.selector {
    requires transitive dev.attn4j.api;
    requires dev.attn4j.conformance;
    requires org.slf4j;

    exports dev.attn4j.selector;

    uses dev.attn4j.api.spi.AttentionBackendProvider;
}
