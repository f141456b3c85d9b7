package dev.attn4j.xpu;

import dev.attn4j.api.DeviceException;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_context_properties;
import org.jocl.cl_device_id;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.jocl.cl_program;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * The OpenCL path (JOCL): one context, one in-order queue and one program built at run time from
 * the kernels' OpenCL C source ({@link XpuProgramSource}), the same source the Level Zero path's SPIR-V
 * comes from. The run-time build is deliberate: Debian 12's PoCL (3.1) reports no IL version, so
 * it cannot take SPIR-V through clCreateProgramWithIL. On devices with cl_intel_subgroups and
 * OpenCL C 2.0 the kernels use Intel sub-groups; elsewhere (PoCL) their local-memory reductions.
 */
final class ClRuntime implements DeviceRuntime {
    private static final Logger LOG = LoggerFactory.getLogger(ClRuntime.class);
    /** CL_OUT_OF_RESOURCES (a faulting kernel on many drivers) and CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST. */
    private static final int[] STICKY = {-5, -14};

    private final ClDevice device;
    private final cl_context context;
    private final cl_command_queue queue;
    private final cl_program program;
    private final Map<String, cl_kernel> kernels = new HashMap<>();

    private record ClBuffer(cl_mem mem, long bytes) implements DeviceBuffer {
    }

    @SuppressWarnings("deprecation") // clCreateCommandQueue: OpenCL 1.2 devices lack the 2.0 call
    ClRuntime(ClDevice device) {
        this.device = device;
        CL.setExceptionsEnabled(false);
        int[] err = new int[1];
        cl_context_properties props = new cl_context_properties();
        props.addProperty(CL.CL_CONTEXT_PLATFORM, device.platform);
        cl_device_id[] devices = {device.device};
        context = CL.clCreateContext(props, 1, devices, null, null, err);
        check(err[0], "clCreateContext");
        cl_command_queue q = null;
        cl_program p = null;
        try {
            q = CL.clCreateCommandQueue(context, device.device, 0, err);
            check(err[0], "clCreateCommandQueue");
            p = CL.clCreateProgramWithSource(context, 1, new String[] {XpuProgramSource.expanded()}, null, err);
            check(err[0], "clCreateProgramWithSource");
            String options = buildOptions(device);
            long t0 = System.nanoTime();
            int r = CL.clBuildProgram(p, 1, devices, options, null, null);
            if (r != CL.CL_SUCCESS) {
                throw new DeviceException(XpuBackendProvider.NAME, "clBuildProgram(" + options + ") [build log: "
                        + buildLog(p).strip() + "]", r, CL.stringFor_errorCode(r));
            }
            LOG.debug("xpu kernels built for {} with {} in {} ms", device.name(), options, (System.nanoTime() - t0) / 1_000_000);
        } catch (RuntimeException e) {
            if (p != null) {
                CL.clReleaseProgram(p);
            }
            if (q != null) {
                CL.clReleaseCommandQueue(q);
            }
            CL.clReleaseContext(context);
            throw e;
        }
        queue = q;
        program = p;
    }

    /** Intel sub-groups where the device has them (they need OpenCL C 2.0 in the headers compilers ship). */
    static String buildOptions(ClDevice d) {
        boolean intel = d.hasExtension("cl_intel_subgroups") && d.hasOpenClC2();
        return XpuKernels.BUILD_OPTIONS + (intel ? " -cl-std=CL2.0" : " -cl-std=CL1.2 -DATTN4J_GENERIC_SUBGROUPS");
    }

    private String buildLog(cl_program p) {
        long[] size = new long[1];
        CL.clGetProgramBuildInfo(p, device.device, CL.CL_PROGRAM_BUILD_LOG, 0, null, size);
        byte[] b = new byte[(int) size[0]];
        CL.clGetProgramBuildInfo(p, device.device, CL.CL_PROGRAM_BUILD_LOG, b.length, Pointer.to(b), null);
        return new String(b, java.nio.charset.StandardCharsets.UTF_8).replace("\0", "");
    }

    private static void check(int result, String call) {
        if (result != CL.CL_SUCCESS) {
            throw new DeviceException(XpuBackendProvider.NAME, call, result, CL.stringFor_errorCode(result),
                    isSticky(result), null);
        }
    }

    @Override
    public String api() {
        return "OpenCL";
    }

    @Override
    public String deviceName() {
        return device.name();
    }

    @Override
    public int computeUnits() {
        return device.computeUnits();
    }

    @Override
    public DeviceBuffer allocate(long bytes) {
        int[] err = new int[1];
        cl_mem m = CL.clCreateBuffer(context, CL.CL_MEM_READ_WRITE, Math.max(bytes, 1), null, err);
        check(err[0], "clCreateBuffer(" + bytes + ")");
        return new ClBuffer(m, bytes);
    }

    @Override
    public void free(DeviceBuffer buffer) {
        // OpenCL keeps a released buffer until the commands that use it have finished.
        check(CL.clReleaseMemObject(((ClBuffer) buffer).mem()), "clReleaseMemObject");
    }

    /** A direct copy of the buffer's remaining bytes at position 0 (what JOCL's pointers expect). */
    private static ByteBuffer direct(ByteBuffer src) {
        if (src.isDirect() && src.position() == 0) {
            return src;
        }
        return ByteBuffer.allocateDirect(src.remaining()).put(src.duplicate()).flip();
    }

    @Override
    public void write(DeviceBuffer dst, ByteBuffer src) {
        ByteBuffer d = direct(src);
        check(CL.clEnqueueWriteBuffer(queue, ((ClBuffer) dst).mem(), CL.CL_TRUE, 0, src.remaining(), Pointer.to(d), 0,
                null, null), "clEnqueueWriteBuffer");
    }

    @Override
    public void read(DeviceBuffer src, ByteBuffer dst, long bytes) {
        ByteBuffer d = ByteBuffer.allocateDirect(Math.toIntExact(bytes));
        check(CL.clEnqueueReadBuffer(queue, ((ClBuffer) src).mem(), CL.CL_TRUE, 0, bytes, Pointer.to(d), 0, null, null),
                "clEnqueueReadBuffer");
        dst.duplicate().put(d);
    }

    @Override
    public void copy(DeviceBuffer src, DeviceBuffer dst, long bytes) {
        check(CL.clEnqueueCopyBuffer(queue, ((ClBuffer) src).mem(), ((ClBuffer) dst).mem(), 0, 0, bytes, 0, null, null),
                "clEnqueueCopyBuffer");
    }

    @Override
    public void zero(DeviceBuffer buffer) {
        check(CL.clEnqueueFillBuffer(queue, ((ClBuffer) buffer).mem(), Pointer.to(new byte[] {0}), 1, 0,
                Math.max(buffer.bytes(), 1), 0, null, null), "clEnqueueFillBuffer");
    }

    @Override
    public void launch(String kernel, int groups, int groupSize, Object... args) {
        cl_kernel k = kernels.get(kernel);
        if (k == null) {
            int[] err = new int[1];
            k = CL.clCreateKernel(program, kernel, err);
            check(err[0], "clCreateKernel(" + kernel + ")");
            kernels.put(kernel, k);
        }
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            int r;
            if (a instanceof ClBuffer) {
                r = CL.clSetKernelArg(k, i, Sizeof.cl_mem, Pointer.to(((ClBuffer) a).mem()));
            } else if (a instanceof Integer) {
                r = CL.clSetKernelArg(k, i, Sizeof.cl_int, Pointer.to(new int[] {(Integer) a}));
            } else if (a instanceof Float) {
                r = CL.clSetKernelArg(k, i, Sizeof.cl_float, Pointer.to(new float[] {(Float) a}));
            } else {
                throw new IllegalArgumentException("argument " + i + " of " + kernel + ": " + a);
            }
            check(r, "clSetKernelArg(" + kernel + ", " + i + ")");
        }
        check(CL.clEnqueueNDRangeKernel(queue, k, 1, null, new long[] {(long) groups * groupSize}, new long[] {groupSize},
                0, null, null), "clEnqueueNDRangeKernel(" + kernel + ")");
    }

    @Override
    public void synchronize() {
        check(CL.clFinish(queue), "clFinish");
    }

    private static boolean isSticky(int result) {
        for (int s : STICKY) {
            if (result == s) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        CL.clFinish(queue);
        kernels.values().forEach(CL::clReleaseKernel);
        CL.clReleaseProgram(program);
        CL.clReleaseCommandQueue(queue);
        CL.clReleaseContext(context);
    }
}
