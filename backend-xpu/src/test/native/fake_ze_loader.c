/*
 * A stand-in for libze_loader.so.1, for the xpu probe tests: it answers like a loader with one
 * driver, so the JNI shim and the probe can be checked on machines with no Intel hardware.
 * Built twice by build-fake-loader.sh:
 *   FAKE_INTEL_GPU=0: the driver's devices are an NVIDIA GPU and an Intel CPU (no Intel GPU);
 *   FAKE_INTEL_GPU=1: one Intel GPU whose module creation fails with a build log (no compiler).
 * Every other entry point the shim resolves exists and reports ZE_RESULT_ERROR_UNSUPPORTED_FEATURE.
 */
#include <level_zero/ze_api.h>
#include <stdio.h>
#include <string.h>

#ifndef FAKE_INTEL_GPU
#define FAKE_INTEL_GPU 0
#endif

static int driver_token;
static int device_tokens[2];
#define NUM_DEVICES (FAKE_INTEL_GPU ? 1u : 2u)

ze_result_t zeInit(ze_init_flags_t flags) {
    (void)flags;
    return ZE_RESULT_SUCCESS;
}

ze_result_t zeDriverGet(uint32_t *count, ze_driver_handle_t *drivers) {
    if (drivers != NULL && *count > 0) {
        drivers[0] = (ze_driver_handle_t)&driver_token;
    }
    *count = 1;
    return ZE_RESULT_SUCCESS;
}

ze_result_t zeDriverGetApiVersion(ze_driver_handle_t d, ze_api_version_t *v) {
    (void)d;
    *v = ZE_API_VERSION_1_0;
    return ZE_RESULT_SUCCESS;
}

ze_result_t zeDeviceGet(ze_driver_handle_t d, uint32_t *count, ze_device_handle_t *devices) {
    (void)d;
    for (uint32_t i = 0; devices != NULL && i < *count && i < NUM_DEVICES; i++) {
        devices[i] = (ze_device_handle_t)&device_tokens[i];
    }
    *count = NUM_DEVICES;
    return ZE_RESULT_SUCCESS;
}

ze_result_t zeDeviceGetProperties(ze_device_handle_t dev, ze_device_properties_t *p) {
    int index = (int *)dev - device_tokens;
    p->numSlices = 1;
    p->numSubslicesPerSlice = 4;
    p->numEUsPerSubslice = 8;
    p->physicalEUSimdWidth = 8;
    p->maxMemAllocSize = 1u << 30;
    p->coreClockRate = 1000;
    if (FAKE_INTEL_GPU) {
        p->type = ZE_DEVICE_TYPE_GPU;
        p->vendorId = 0x8086;
        p->deviceId = 0x56a0;
        snprintf(p->name, sizeof p->name, "Fake Intel GPU (test loader)");
    } else if (index == 0) {
        p->type = ZE_DEVICE_TYPE_GPU;
        p->vendorId = 0x10de;
        p->deviceId = 0x2330;
        snprintf(p->name, sizeof p->name, "Fake NVIDIA GPU (test loader)");
    } else {
        p->type = ZE_DEVICE_TYPE_CPU;
        p->vendorId = 0x8086;
        p->deviceId = 0x0001;
        snprintf(p->name, sizeof p->name, "Fake Intel CPU (test loader)");
    }
    return ZE_RESULT_SUCCESS;
}

ze_result_t zeDeviceGetComputeProperties(ze_device_handle_t dev, ze_device_compute_properties_t *c) {
    (void)dev;
    c->maxTotalGroupSize = 1024;
    c->maxSharedLocalMemory = 65536;
    return ZE_RESULT_SUCCESS;
}

ze_result_t zeDeviceGetMemoryProperties(ze_device_handle_t dev, uint32_t *count, ze_device_memory_properties_t *m) {
    (void)dev;
    if (m != NULL && *count > 0) {
        m[0].totalSize = 8ull << 30;
    }
    *count = 1;
    return ZE_RESULT_SUCCESS;
}

ze_result_t zeDeviceGetCommandQueueGroupProperties(ze_device_handle_t dev, uint32_t *count,
                                                   ze_command_queue_group_properties_t *g) {
    (void)dev;
    if (g != NULL && *count > 0) {
        g[0].flags = ZE_COMMAND_QUEUE_GROUP_PROPERTY_FLAG_COMPUTE;
        g[0].numQueues = 1;
    }
    *count = 1;
    return ZE_RESULT_SUCCESS;
}

static int context_token;

ze_result_t zeContextCreate(ze_driver_handle_t d, const ze_context_desc_t *desc, ze_context_handle_t *ctx) {
    (void)d;
    (void)desc;
    *ctx = (ze_context_handle_t)&context_token;
    return ZE_RESULT_SUCCESS;
}

ze_result_t zeContextDestroy(ze_context_handle_t ctx) {
    (void)ctx;
    return ZE_RESULT_SUCCESS;
}

static const char BUILD_LOG[] = "fake loader: no SPIR-V compiler here";
static int log_token;

ze_result_t zeModuleCreate(ze_context_handle_t ctx, ze_device_handle_t dev, const ze_module_desc_t *desc,
                           ze_module_handle_t *module, ze_module_build_log_handle_t *log) {
    (void)ctx;
    (void)dev;
    (void)desc;
    *module = NULL;
    if (log != NULL) {
        *log = (ze_module_build_log_handle_t)&log_token;
    }
    return ZE_RESULT_ERROR_MODULE_BUILD_FAILURE;
}

ze_result_t zeModuleBuildLogGetString(ze_module_build_log_handle_t log, size_t *size, char *text) {
    (void)log;
    if (text != NULL) {
        memcpy(text, BUILD_LOG, sizeof BUILD_LOG);
    }
    *size = sizeof BUILD_LOG;
    return ZE_RESULT_SUCCESS;
}

ze_result_t zeModuleBuildLogDestroy(ze_module_build_log_handle_t log) {
    (void)log;
    return ZE_RESULT_SUCCESS;
}

/* A queue (command list and its event) can be made and destroyed, so opening gets to the module. */
static int list_token, pool_token, event_token;

ze_result_t zeCommandListCreateImmediate(ze_context_handle_t c, ze_device_handle_t d, const ze_command_queue_desc_t *q,
                                         ze_command_list_handle_t *list) {
    (void)c;
    (void)d;
    (void)q;
    *list = (ze_command_list_handle_t)&list_token;
    return ZE_RESULT_SUCCESS;
}

ze_result_t zeEventPoolCreate(ze_context_handle_t c, const ze_event_pool_desc_t *d, uint32_t n, ze_device_handle_t *devs,
                              ze_event_pool_handle_t *pool) {
    (void)c;
    (void)d;
    (void)n;
    (void)devs;
    *pool = (ze_event_pool_handle_t)&pool_token;
    return ZE_RESULT_SUCCESS;
}

ze_result_t zeEventCreate(ze_event_pool_handle_t p, const ze_event_desc_t *d, ze_event_handle_t *event) {
    (void)p;
    (void)d;
    *event = (ze_event_handle_t)&event_token;
    return ZE_RESULT_SUCCESS;
}

ze_result_t zeCommandListDestroy(ze_command_list_handle_t l) {
    (void)l;
    return ZE_RESULT_SUCCESS;
}

ze_result_t zeEventPoolDestroy(ze_event_pool_handle_t p) {
    (void)p;
    return ZE_RESULT_SUCCESS;
}

ze_result_t zeEventDestroy(ze_event_handle_t e) {
    (void)e;
    return ZE_RESULT_SUCCESS;
}

/* The rest: present, unsupported. */
#define UNSUPPORTED(name, params) \
    ze_result_t name params { return ZE_RESULT_ERROR_UNSUPPORTED_FEATURE; }
UNSUPPORTED(zeCommandListAppendMemoryCopy, (ze_command_list_handle_t a, void *b, const void *c, size_t d, ze_event_handle_t e, uint32_t f, ze_event_handle_t *g))
UNSUPPORTED(zeCommandListAppendMemoryFill, (ze_command_list_handle_t a, void *b, const void *c, size_t d, size_t e, ze_event_handle_t f, uint32_t g, ze_event_handle_t *h))
UNSUPPORTED(zeCommandListAppendBarrier, (ze_command_list_handle_t a, ze_event_handle_t b, uint32_t c, ze_event_handle_t *d))
UNSUPPORTED(zeCommandListAppendLaunchKernel, (ze_command_list_handle_t a, ze_kernel_handle_t b, const ze_group_count_t *c, ze_event_handle_t d, uint32_t e, ze_event_handle_t *f))
UNSUPPORTED(zeEventHostSynchronize, (ze_event_handle_t a, uint64_t b))
UNSUPPORTED(zeEventHostReset, (ze_event_handle_t a))
UNSUPPORTED(zeMemAllocDevice, (ze_context_handle_t a, const ze_device_mem_alloc_desc_t *b, size_t c, size_t d, ze_device_handle_t e, void **f))
UNSUPPORTED(zeMemAllocHost, (ze_context_handle_t a, const ze_host_mem_alloc_desc_t *b, size_t c, size_t d, void **e))
UNSUPPORTED(zeMemFree, (ze_context_handle_t a, void *b))
UNSUPPORTED(zeModuleDestroy, (ze_module_handle_t a))
UNSUPPORTED(zeKernelCreate, (ze_module_handle_t a, const ze_kernel_desc_t *b, ze_kernel_handle_t *c))
UNSUPPORTED(zeKernelDestroy, (ze_kernel_handle_t a))
UNSUPPORTED(zeKernelSetArgumentValue, (ze_kernel_handle_t a, uint32_t b, size_t c, const void *d))
UNSUPPORTED(zeKernelSetGroupSize, (ze_kernel_handle_t a, uint32_t b, uint32_t c, uint32_t d))
