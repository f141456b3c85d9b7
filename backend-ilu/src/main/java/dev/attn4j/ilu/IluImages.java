package dev.attn4j.ilu;

import dev.attn4j.cudadriver.KernelImage;

import java.io.InputStream;
import java.util.Optional;

/**
 * The two builds of the ilu kernels that may be in the jar (see {@code backend-ilu/build-kernels.sh}):
 * CoreX's, for Iluvatar GPUs, built only where CoreX's compiler is installed, and nvcc's, for NVIDIA
 * GPUs in compat mode. A provider takes them as a parameter so that tests can decide the probe
 * without either.
 */
public interface IluImages {
    /** The kernels for Iluvatar GPUs ({@code attn4j_ilu.corex}), if built. */
    Optional<byte[]> corex();

    /** The kernels for NVIDIA GPUs ({@code attn4j_ilu.fatbin}), if built. */
    Optional<byte[]> nvidia();

    /**
     * For kernel development: an image file to load instead of the jar's (for whichever device
     * runs), e.g. a CoreX build made by hand from the sources in the jar. Unset in normal use.
     */
    String OVERRIDE_PROPERTY = "attn4j.ilu.kernelImage";

    /** The images in the jar (or the override file). */
    static IluImages fromJar() {
        return new IluImages() {
            @Override
            public Optional<byte[]> corex() {
                return KernelImage.load(IluImages::resource, "/dev/attn4j/ilu/attn4j_ilu.corex", OVERRIDE_PROPERTY);
            }

            @Override
            public Optional<byte[]> nvidia() {
                return KernelImage.load(IluImages::resource, "/dev/attn4j/ilu/attn4j_ilu.fatbin", OVERRIDE_PROPERTY);
            }
        };
    }

    /** A resource of this module, opened here: on the module path other modules cannot read it. */
    private static InputStream resource(String name) {
        return IluImages.class.getResourceAsStream(name);
    }
}
