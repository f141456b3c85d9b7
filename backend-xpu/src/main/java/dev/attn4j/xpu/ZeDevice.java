package dev.attn4j.xpu;

import java.util.LinkedHashMap;
import java.util.Map;

/** A device of a Level Zero driver, from zeDeviceGetProperties and its compute and memory properties. */
final class ZeDevice implements XpuDevice {
    final ZeLoader loader;
    final long driver;
    final long device;
    private final String name;
    /** As {@link ZeNative#deviceProperties} returns them. */
    private final long[] props;

    ZeDevice(ZeLoader loader, long driver, long device, String name, long[] props) {
        this.loader = loader;
        this.driver = driver;
        this.device = device;
        this.name = name;
        this.props = props.clone();
    }

    @Override
    public String api() {
        return "Level Zero";
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int vendorId() {
        return (int) props[1];
    }

    @Override
    public String vendorName() {
        return vendorId() == INTEL ? "Intel" : String.format("0x%04x", vendorId());
    }

    @Override
    public boolean isGpu() {
        return props[0] == ZeNative.DEVICE_TYPE_GPU;
    }

    @Override
    public String typeName() {
        switch ((int) props[0]) {
            case 1: return "GPU";
            case 2: return "CPU";
            case 3: return "FPGA";
            case 4: return "MCA";
            case 5: return "VPU";
            default: return "type " + props[0];
        }
    }

    @Override
    public long memoryBytes() {
        return props[9];
    }

    /** Execution units: the work split sizes its item count by them. */
    int executionUnits() {
        return (int) Math.max(1, props[3]);
    }

    @Override
    public Map<String, String> details() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("api", "Level Zero " + (props[10] >>> 16) + "." + (props[10] & 0xffff));
        d.put("deviceId", String.format("0x%04x", props[2]));
        d.put("executionUnits", Long.toString(props[3]));
        d.put("simdWidth", Long.toString(props[6]));
        d.put("clockMHz", Long.toString(props[5]));
        d.put("loader", loader.library);
        return d;
    }

    @Override
    public DeviceRuntime open() {
        return new ZeRuntime(this);
    }
}
