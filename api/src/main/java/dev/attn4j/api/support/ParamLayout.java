package dev.attn4j.api.support;

import java.util.List;

/**
 * The Java side of one kernel's parameters: a C parameter struct's fields (the libcuda backends
 * pass structs by value) or an OpenCL kernel's arguments (xpu), in the order the kernel source
 * declares them, each {@code "name:kind"} with kind {@code ptr} (a pointer or buffer), {@code i32},
 * {@code f32} or a fixed-length int array, {@code i32[n]}. The builders that fill them (cuda-driver's
 * {@code ParamBlock}, xpu's {@code XpuLaunchArgs}) accept only those names in that order, and each backend's
 * {@code KernelAbiTest} reads the declaration from the kernel source and fails when it differs.
 *
 * @param struct the C struct's or the kernel's name
 * @param fields its fields, in order
 */
public record ParamLayout(String struct, List<String> fields) {
    public ParamLayout {
        fields = List.copyOf(fields);
    }

    /** A layout of {@code struct} with these {@code "name:kind"} fields. */
    public static ParamLayout of(String struct, String... fields) {
        return new ParamLayout(struct, List.of(fields));
    }

    /**
     * Checks that field {@code index} is {@code name} of {@code kind}.
     *
     * @throws IllegalStateException otherwise: a launcher writes fields out of the declared order
     */
    public void expect(int index, String name, String kind) {
        String expected = index < fields.size() ? fields.get(index) : "(past the end)";
        if (!expected.equals(name + ":" + kind)) {
            throw new IllegalStateException(struct + " field " + index + " is " + expected + ", not " + name + ":" + kind);
        }
    }

    /**
     * Checks that all fields were written.
     *
     * @throws IllegalStateException otherwise
     */
    public void expectComplete(int written) {
        if (written != fields.size()) {
            throw new IllegalStateException(struct + " is missing " + fields.subList(Math.min(written, fields.size()),
                    fields.size()));
        }
    }
}
