package dev.attn4j.api.spi;

import java.util.Map;

/**
 * One device a probe found.
 *
 * @param index   the index to pass as {@link BackendOptions#deviceIndex()}
 * @param name    the driver's device name
 * @param vendor  e.g. {@code NVIDIA}, {@code Iluvatar}, {@code Intel}, or the CPU vendor
 * @param memoryBytes device memory, 0 when not known
 * @param details other facts (compute capability, driver version, thread count ...)
 */
public record DeviceInfo(int index, String name, String vendor, long memoryBytes, Map<String, String> details) {

    public DeviceInfo {
        details = Map.copyOf(details);
    }

    @Override
    public String toString() {
        return "#" + index + " " + vendor + " " + name + (details.isEmpty() ? "" : " " + details);
    }
}
