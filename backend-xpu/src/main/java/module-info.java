/**
 * Intel GPUs: OpenCL C kernels as SPIR-V, run through Level Zero (the JNI shim in this jar) or
 * OpenCL (JOCL). {@code jocl} is JOCL's automatic module name, from its jar's file name.
 */
// Said above: the automatic module is the only name the library has.
@SuppressWarnings("requires-automatic")
module dev.attn4j.xpu {
    requires transitive dev.attn4j.api;
    requires jocl;
    requires org.slf4j;

    exports dev.attn4j.xpu;

    provides dev.attn4j.api.spi.AttentionBackendProvider with dev.attn4j.xpu.XpuBackendProvider;
}
