/** The pure-Java backend: always available, the embedded default and the fallback. */
module dev.attn4j.cpu {
    requires transitive dev.attn4j.api;
    requires org.slf4j;
    // The Vector API kernels (VectorLanes), where the JVM resolves the module
    // (--add-modules jdk.incubator.vector); scalar loops everywhere else.
    requires static jdk.incubator.vector;

    exports dev.attn4j.cpu;

    provides dev.attn4j.api.spi.AttentionBackendProvider with dev.attn4j.cpu.CpuBackendProvider;
}
