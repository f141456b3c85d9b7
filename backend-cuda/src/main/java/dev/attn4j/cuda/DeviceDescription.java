package dev.attn4j.cuda;

/**
 * What the driver says about one device, as the probe reads it.
 *
 * @param index       the CUDA device ordinal
 * @param name        {@code cuDeviceGetName}
 * @param ccMajor     compute capability, major
 * @param ccMinor     compute capability, minor
 * @param memoryBytes {@code cuDeviceTotalMem}
 */
record DeviceDescription(int index, String name, int ccMajor, int ccMinor, long memoryBytes) {
}
