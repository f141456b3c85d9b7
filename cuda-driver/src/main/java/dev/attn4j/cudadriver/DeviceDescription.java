package dev.attn4j.cudadriver;

/**
 * What the driver says about one device, as a probe reads it: each backend decides from this alone
 * whether the device is its own (an NVIDIA GPU for cuda, an Iluvatar CoreX GPU for ilu).
 *
 * @param index       the CUDA device ordinal
 * @param name        {@code cuDeviceGetName}
 * @param ccMajor     compute capability, major
 * @param ccMinor     compute capability, minor
 * @param memoryBytes {@code cuDeviceTotalMem}
 */
public record DeviceDescription(int index, String name, int ccMajor, int ccMinor, long memoryBytes) {

    /**
     * Whether this is an Iluvatar CoreX GPU (whose stack also provides libcuda): by the name its
     * driver reports (the BI-V and MR-V series). The one test both cuda (to decline) and ilu (to
     * accept) use.
     */
    public boolean isIluvatar() {
        String n = name.toLowerCase(java.util.Locale.ROOT);
        return n.contains("iluvatar") || n.contains("corex") || n.startsWith("bi-v") || n.startsWith("mr-v");
    }
}
