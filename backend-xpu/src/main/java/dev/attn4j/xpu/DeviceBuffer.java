package dev.attn4j.xpu;

/** A block of device memory of one {@link DeviceRuntime}: a Level Zero USM pointer or an OpenCL cl_mem. */
interface DeviceBuffer {
    /** Its size in bytes. */
    long bytes();
}
