/*
 * JNI entry points of dev.attn4j.xpu.ZeNative: a thin, one-to-one layer over the Level Zero
 * calls the xpu backend makes. Handles travel to Java as jlong. A failed call throws
 * dev.attn4j.xpu.ZeException(call, ze_result_t, its name, detail), which the Java side turns
 * into the API's DeviceException; nothing here decides policy.
 *
 * Ordering: commands go to one asynchronous immediate command list per backend; every append is
 * followed by a barrier, so operations run in call order, and "synchronize" signals a host-visible
 * event after a last barrier and waits for it (zeCommandListHostSynchronize is newer than the
 * Level Zero 1.4 headers Debian ships).
 */
#include <jni.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ze_api_table.h"

#define API(h) ((ze_api *)(intptr_t)(h))
#define H(type, h) ((type)(intptr_t)(h))
#define J(p) ((jlong)(intptr_t)(p))

/* One immediate command list with the event its synchronize waits on. */
typedef struct queue {
    ze_command_list_handle_t list;
    ze_event_pool_handle_t pool;
    ze_event_handle_t done;
} queue;

static void throw_ze(JNIEnv *env, const char *call, ze_result_t r, const char *detail) {
    char buf[32];
    jclass cls = (*env)->FindClass(env, "dev/attn4j/xpu/ZeException");
    if (cls == NULL) {
        return; /* NoClassDefFoundError pending */
    }
    jmethodID init = (*env)->GetMethodID(env, cls, "<init>", "(Ljava/lang/String;ILjava/lang/String;Ljava/lang/String;)V");
    if (init == NULL) {
        return;
    }
    jstring jcall = (*env)->NewStringUTF(env, call);
    jstring jname = (*env)->NewStringUTF(env, attn4j_ze_result_name(r, buf, sizeof buf));
    jstring jdetail = detail != NULL ? (*env)->NewStringUTF(env, detail) : NULL;
    jobject ex = (*env)->NewObject(env, cls, init, jcall, (jint)r, jname, jdetail);
    if (ex != NULL) {
        (*env)->Throw(env, (jthrowable)ex);
    }
}

/* Checks a result; on failure throws and returns 0. */
static int ok(JNIEnv *env, const char *call, ze_result_t r) {
    if (r != ZE_RESULT_SUCCESS) {
        throw_ze(env, call, r, NULL);
        return 0;
    }
    return 1;
}

JNIEXPORT jstring JNICALL Java_dev_attn4j_xpu_ZeNative_open(JNIEnv *env, jclass cls, jstring library,
                                                               jlongArray handle) {
    (void)cls;
    char err[1024];
    const char *lib = (*env)->GetStringUTFChars(env, library, NULL);
    if (lib == NULL) {
        return NULL;
    }
    ze_api *api = attn4j_ze_open(lib, err, sizeof err);
    (*env)->ReleaseStringUTFChars(env, library, lib);
    if (api == NULL) {
        return (*env)->NewStringUTF(env, err);
    }
    jlong h = J(api);
    (*env)->SetLongArrayRegion(env, handle, 0, 1, &h);
    return NULL;
}

JNIEXPORT void JNICALL Java_dev_attn4j_xpu_ZeNative_close(JNIEnv *env, jclass cls, jlong api) {
    (void)env;
    (void)cls;
    attn4j_ze_close(API(api));
}

JNIEXPORT jint JNICALL Java_dev_attn4j_xpu_ZeNative_init(JNIEnv *env, jclass cls, jlong api, jint flags) {
    (void)env;
    (void)cls;
    return (jint)API(api)->zeInit((ze_init_flags_t)flags);
}

JNIEXPORT jstring JNICALL Java_dev_attn4j_xpu_ZeNative_resultName(JNIEnv *env, jclass cls, jint code) {
    (void)cls;
    char buf[32];
    return (*env)->NewStringUTF(env, attn4j_ze_result_name((ze_result_t)code, buf, sizeof buf));
}

static jlongArray to_jlongs(JNIEnv *env, void **handles, uint32_t n) {
    jlongArray out = (*env)->NewLongArray(env, (jsize)n);
    if (out == NULL) {
        return NULL;
    }
    for (uint32_t i = 0; i < n; i++) {
        jlong h = J(handles[i]);
        (*env)->SetLongArrayRegion(env, out, (jsize)i, 1, &h);
    }
    return out;
}

JNIEXPORT jlongArray JNICALL Java_dev_attn4j_xpu_ZeNative_drivers(JNIEnv *env, jclass cls, jlong api) {
    (void)cls;
    uint32_t n = 0;
    if (!ok(env, "zeDriverGet", API(api)->zeDriverGet(&n, NULL))) {
        return NULL;
    }
    ze_driver_handle_t *drivers = calloc(n > 0 ? n : 1, sizeof *drivers);
    if (n > 0 && !ok(env, "zeDriverGet", API(api)->zeDriverGet(&n, drivers))) {
        free(drivers);
        return NULL;
    }
    jlongArray out = to_jlongs(env, (void **)drivers, n);
    free(drivers);
    return out;
}

JNIEXPORT jlongArray JNICALL Java_dev_attn4j_xpu_ZeNative_devices(JNIEnv *env, jclass cls, jlong api, jlong driver) {
    (void)cls;
    uint32_t n = 0;
    if (!ok(env, "zeDeviceGet", API(api)->zeDeviceGet(H(ze_driver_handle_t, driver), &n, NULL))) {
        return NULL;
    }
    ze_device_handle_t *devices = calloc(n > 0 ? n : 1, sizeof *devices);
    if (n > 0 && !ok(env, "zeDeviceGet", API(api)->zeDeviceGet(H(ze_driver_handle_t, driver), &n, devices))) {
        free(devices);
        return NULL;
    }
    jlongArray out = to_jlongs(env, (void **)devices, n);
    free(devices);
    return out;
}

/*
 * [type, vendorId, deviceId, EU count, maxMemAllocSize, core clock MHz, EU SIMD width,
 *  max group size, max SLM bytes, total device memory bytes, driver API version]
 */
JNIEXPORT jlongArray JNICALL Java_dev_attn4j_xpu_ZeNative_deviceProperties(JNIEnv *env, jclass cls, jlong api,
                                                                             jlong driver, jlong device) {
    (void)cls;
    ze_device_handle_t dev = H(ze_device_handle_t, device);
    ze_device_properties_t p;
    memset(&p, 0, sizeof p);
    p.stype = ZE_STRUCTURE_TYPE_DEVICE_PROPERTIES;
    if (!ok(env, "zeDeviceGetProperties", API(api)->zeDeviceGetProperties(dev, &p))) {
        return NULL;
    }
    ze_device_compute_properties_t c;
    memset(&c, 0, sizeof c);
    c.stype = ZE_STRUCTURE_TYPE_DEVICE_COMPUTE_PROPERTIES;
    if (!ok(env, "zeDeviceGetComputeProperties", API(api)->zeDeviceGetComputeProperties(dev, &c))) {
        return NULL;
    }
    uint32_t nmem = 0;
    if (!ok(env, "zeDeviceGetMemoryProperties", API(api)->zeDeviceGetMemoryProperties(dev, &nmem, NULL))) {
        return NULL;
    }
    uint64_t total = 0;
    if (nmem > 0) {
        ze_device_memory_properties_t *m = calloc(nmem, sizeof *m);
        for (uint32_t i = 0; i < nmem; i++) {
            m[i].stype = ZE_STRUCTURE_TYPE_DEVICE_MEMORY_PROPERTIES;
        }
        ze_result_t r = API(api)->zeDeviceGetMemoryProperties(dev, &nmem, m);
        for (uint32_t i = 0; r == ZE_RESULT_SUCCESS && i < nmem; i++) {
            total += m[i].totalSize;
        }
        free(m);
        if (!ok(env, "zeDeviceGetMemoryProperties", r)) {
            return NULL;
        }
    }
    ze_api_version_t version = 0;
    if (!ok(env, "zeDriverGetApiVersion", API(api)->zeDriverGetApiVersion(H(ze_driver_handle_t, driver), &version))) {
        return NULL;
    }
    jlong v[11] = {(jlong)p.type, (jlong)p.vendorId, (jlong)p.deviceId,
                   (jlong)p.numSlices * p.numSubslicesPerSlice * p.numEUsPerSubslice, (jlong)p.maxMemAllocSize,
                   (jlong)p.coreClockRate, (jlong)p.physicalEUSimdWidth, (jlong)c.maxTotalGroupSize,
                   (jlong)c.maxSharedLocalMemory, (jlong)total, (jlong)version};
    jlongArray out = (*env)->NewLongArray(env, 11);
    if (out != NULL) {
        (*env)->SetLongArrayRegion(env, out, 0, 11, v);
    }
    return out;
}

JNIEXPORT jstring JNICALL Java_dev_attn4j_xpu_ZeNative_deviceName(JNIEnv *env, jclass cls, jlong api, jlong device) {
    (void)cls;
    ze_device_properties_t p;
    memset(&p, 0, sizeof p);
    p.stype = ZE_STRUCTURE_TYPE_DEVICE_PROPERTIES;
    if (!ok(env, "zeDeviceGetProperties", API(api)->zeDeviceGetProperties(H(ze_device_handle_t, device), &p))) {
        return NULL;
    }
    p.name[ZE_MAX_DEVICE_NAME - 1] = '\0';
    return (*env)->NewStringUTF(env, p.name);
}

JNIEXPORT jlong JNICALL Java_dev_attn4j_xpu_ZeNative_contextCreate(JNIEnv *env, jclass cls, jlong api, jlong driver) {
    (void)cls;
    ze_context_desc_t desc = {ZE_STRUCTURE_TYPE_CONTEXT_DESC, NULL, 0};
    ze_context_handle_t ctx = NULL;
    if (!ok(env, "zeContextCreate", API(api)->zeContextCreate(H(ze_driver_handle_t, driver), &desc, &ctx))) {
        return 0;
    }
    return J(ctx);
}

JNIEXPORT void JNICALL Java_dev_attn4j_xpu_ZeNative_contextDestroy(JNIEnv *env, jclass cls, jlong api, jlong ctx) {
    (void)cls;
    ok(env, "zeContextDestroy", API(api)->zeContextDestroy(H(ze_context_handle_t, ctx)));
}

/* The first command queue group of the device that can run compute kernels. */
static int compute_ordinal(JNIEnv *env, ze_api *api, ze_device_handle_t dev, uint32_t *ordinal) {
    uint32_t n = 0;
    if (!ok(env, "zeDeviceGetCommandQueueGroupProperties", api->zeDeviceGetCommandQueueGroupProperties(dev, &n, NULL))) {
        return 0;
    }
    ze_command_queue_group_properties_t *g = calloc(n > 0 ? n : 1, sizeof *g);
    for (uint32_t i = 0; i < n; i++) {
        g[i].stype = ZE_STRUCTURE_TYPE_COMMAND_QUEUE_GROUP_PROPERTIES;
    }
    ze_result_t r = api->zeDeviceGetCommandQueueGroupProperties(dev, &n, g);
    int found = 0;
    for (uint32_t i = 0; r == ZE_RESULT_SUCCESS && i < n && !found; i++) {
        if (g[i].flags & ZE_COMMAND_QUEUE_GROUP_PROPERTY_FLAG_COMPUTE) {
            *ordinal = i;
            found = 1;
        }
    }
    free(g);
    if (!ok(env, "zeDeviceGetCommandQueueGroupProperties", r)) {
        return 0;
    }
    if (!found) {
        throw_ze(env, "zeDeviceGetCommandQueueGroupProperties", ZE_RESULT_ERROR_UNSUPPORTED_FEATURE,
                 "the device has no compute command queue group");
    }
    return found;
}

JNIEXPORT jlong JNICALL Java_dev_attn4j_xpu_ZeNative_queueCreate(JNIEnv *env, jclass cls, jlong api, jlong ctx,
                                                                    jlong device) {
    (void)cls;
    ze_api *a = API(api);
    ze_device_handle_t dev = H(ze_device_handle_t, device);
    uint32_t ordinal = 0;
    if (!compute_ordinal(env, a, dev, &ordinal)) {
        return 0;
    }
    queue *q = calloc(1, sizeof *q);
    ze_command_queue_desc_t qd = {ZE_STRUCTURE_TYPE_COMMAND_QUEUE_DESC, NULL, ordinal, 0, 0,
                                  ZE_COMMAND_QUEUE_MODE_ASYNCHRONOUS, ZE_COMMAND_QUEUE_PRIORITY_NORMAL};
    if (!ok(env, "zeCommandListCreateImmediate",
            a->zeCommandListCreateImmediate(H(ze_context_handle_t, ctx), dev, &qd, &q->list))) {
        free(q);
        return 0;
    }
    ze_event_pool_desc_t pd = {ZE_STRUCTURE_TYPE_EVENT_POOL_DESC, NULL, ZE_EVENT_POOL_FLAG_HOST_VISIBLE, 1};
    if (!ok(env, "zeEventPoolCreate", a->zeEventPoolCreate(H(ze_context_handle_t, ctx), &pd, 1, &dev, &q->pool))) {
        a->zeCommandListDestroy(q->list);
        free(q);
        return 0;
    }
    ze_event_desc_t ed = {ZE_STRUCTURE_TYPE_EVENT_DESC, NULL, 0, ZE_EVENT_SCOPE_FLAG_HOST, ZE_EVENT_SCOPE_FLAG_HOST};
    if (!ok(env, "zeEventCreate", a->zeEventCreate(q->pool, &ed, &q->done))) {
        a->zeEventPoolDestroy(q->pool);
        a->zeCommandListDestroy(q->list);
        free(q);
        return 0;
    }
    return J(q);
}

JNIEXPORT void JNICALL Java_dev_attn4j_xpu_ZeNative_queueDestroy(JNIEnv *env, jclass cls, jlong api, jlong handle) {
    (void)env;
    (void)cls;
    ze_api *a = API(api);
    queue *q = H(queue *, handle);
    a->zeEventDestroy(q->done);
    a->zeEventPoolDestroy(q->pool);
    a->zeCommandListDestroy(q->list);
    free(q);
}

/* Waits until everything appended so far has run. */
static int sync_queue(JNIEnv *env, ze_api *a, queue *q) {
    return ok(env, "zeCommandListAppendBarrier", a->zeCommandListAppendBarrier(q->list, q->done, 0, NULL))
           && ok(env, "zeEventHostSynchronize", a->zeEventHostSynchronize(q->done, UINT64_MAX))
           && ok(env, "zeEventHostReset", a->zeEventHostReset(q->done));
}

/* Orders what follows after what was appended. */
static int barrier(JNIEnv *env, ze_api *a, queue *q) {
    return ok(env, "zeCommandListAppendBarrier", a->zeCommandListAppendBarrier(q->list, NULL, 0, NULL));
}

JNIEXPORT void JNICALL Java_dev_attn4j_xpu_ZeNative_synchronize(JNIEnv *env, jclass cls, jlong api, jlong q) {
    (void)cls;
    sync_queue(env, API(api), H(queue *, q));
}

JNIEXPORT jlong JNICALL Java_dev_attn4j_xpu_ZeNative_memAllocDevice(JNIEnv *env, jclass cls, jlong api, jlong ctx,
                                                                       jlong device, jlong bytes, jlong alignment) {
    (void)cls;
    ze_device_mem_alloc_desc_t d = {ZE_STRUCTURE_TYPE_DEVICE_MEM_ALLOC_DESC, NULL, 0, 0};
    void *p = NULL;
    char call[64];
    snprintf(call, sizeof call, "zeMemAllocDevice(%lld)", (long long)bytes);
    if (!ok(env, call, API(api)->zeMemAllocDevice(H(ze_context_handle_t, ctx), &d, (size_t)bytes, (size_t)alignment,
                                                  H(ze_device_handle_t, device), &p))) {
        return 0;
    }
    return J(p);
}

JNIEXPORT void JNICALL Java_dev_attn4j_xpu_ZeNative_memFree(JNIEnv *env, jclass cls, jlong api, jlong ctx, jlong ptr) {
    (void)cls;
    ok(env, "zeMemFree", API(api)->zeMemFree(H(ze_context_handle_t, ctx), H(void *, ptr)));
}

/*
 * Host memory a copy may use: the spec wants both sides of a copy accessible to the device, which a
 * Java direct buffer (plain malloc'd memory) need not be, so host copies stage through a USM host
 * allocation of the context.
 */
static void *host_staging(JNIEnv *env, ze_api *a, jlong ctx, jlong bytes) {
    ze_host_mem_alloc_desc_t d = {ZE_STRUCTURE_TYPE_HOST_MEM_ALLOC_DESC, NULL, 0};
    void *p = NULL;
    if (!ok(env, "zeMemAllocHost", a->zeMemAllocHost(H(ze_context_handle_t, ctx), &d, (size_t)(bytes > 0 ? bytes : 1), 64, &p))) {
        return NULL;
    }
    return p;
}

/*
 * A copy between a Java direct buffer (from `offset`) and device memory, through a staging host
 * allocation, complete when it returns: to the device, or back from it after everything appended
 * before it. `what` names the call in errors.
 */
static void host_copy(JNIEnv *env, const char *what, ze_api *a, jlong ctx, jlong q, jobject buffer, jlong offset,
                      jlong device, jlong bytes, int to_device) {
    char *base = (*env)->GetDirectBufferAddress(env, buffer);
    if (base == NULL) {
        throw_ze(env, what, ZE_RESULT_ERROR_INVALID_NULL_POINTER, "not a direct buffer");
        return;
    }
    void *staging = host_staging(env, a, ctx, bytes);
    if (staging == NULL) {
        return;
    }
    queue *qq = H(queue *, q);
    if (to_device) {
        memcpy(staging, base + offset, (size_t)bytes);
    }
    void *dst = to_device ? H(void *, device) : staging;
    const void *src = to_device ? (const void *)staging : H(const void *, device);
    if (ok(env, "zeCommandListAppendMemoryCopy",
           a->zeCommandListAppendMemoryCopy(qq->list, dst, src, (size_t)bytes, NULL, 0, NULL))
        && sync_queue(env, a, qq) && !to_device) {
        memcpy(base + offset, staging, (size_t)bytes);
    }
    a->zeMemFree(H(ze_context_handle_t, ctx), staging);
}

/* Host (direct buffer) to device. */
JNIEXPORT void JNICALL Java_dev_attn4j_xpu_ZeNative_copyFromHost(JNIEnv *env, jclass cls, jlong api, jlong ctx, jlong q,
                                                                  jlong dst, jobject src, jlong offset, jlong bytes) {
    (void)cls;
    host_copy(env, "copyFromHost", API(api), ctx, q, src, offset, dst, bytes, 1);
}

/* Device to host (direct buffer). */
JNIEXPORT void JNICALL Java_dev_attn4j_xpu_ZeNative_copyToHost(JNIEnv *env, jclass cls, jlong api, jlong ctx, jlong q,
                                                                jobject dst, jlong offset, jlong src, jlong bytes) {
    (void)cls;
    host_copy(env, "copyToHost", API(api), ctx, q, dst, offset, src, bytes, 0);
}

JNIEXPORT void JNICALL Java_dev_attn4j_xpu_ZeNative_copyDevice(JNIEnv *env, jclass cls, jlong api, jlong q,
                                                                  jlong dst, jlong src, jlong bytes) {
    (void)cls;
    ze_api *a = API(api);
    queue *qq = H(queue *, q);
    if (ok(env, "zeCommandListAppendMemoryCopy",
           a->zeCommandListAppendMemoryCopy(qq->list, H(void *, dst), H(const void *, src), (size_t)bytes, NULL, 0, NULL))) {
        barrier(env, a, qq);
    }
}

JNIEXPORT void JNICALL Java_dev_attn4j_xpu_ZeNative_fill(JNIEnv *env, jclass cls, jlong api, jlong q, jlong dst,
                                                            jbyte value, jlong bytes) {
    (void)cls;
    ze_api *a = API(api);
    queue *qq = H(queue *, q);
    uint8_t pattern = (uint8_t)value;
    /* Waited for: the pattern lives on this stack frame. */
    if (ok(env, "zeCommandListAppendMemoryFill",
           a->zeCommandListAppendMemoryFill(qq->list, H(void *, dst), &pattern, 1, (size_t)bytes, NULL, 0, NULL))) {
        sync_queue(env, a, qq);
    }
}

/* A module from SPIR-V; a build failure throws with the driver's build log as the detail. */
JNIEXPORT jlong JNICALL Java_dev_attn4j_xpu_ZeNative_moduleCreate(JNIEnv *env, jclass cls, jlong api, jlong ctx,
                                                                     jlong device, jbyteArray spirv, jstring flags) {
    (void)cls;
    ze_api *a = API(api);
    jsize n = (*env)->GetArrayLength(env, spirv);
    uint8_t *il = malloc((size_t)n);
    if (il == NULL) {
        throw_ze(env, "zeModuleCreate", ZE_RESULT_ERROR_OUT_OF_HOST_MEMORY, NULL);
        return 0;
    }
    (*env)->GetByteArrayRegion(env, spirv, 0, n, (jbyte *)il);
    const char *f = (*env)->GetStringUTFChars(env, flags, NULL);
    ze_module_desc_t d = {ZE_STRUCTURE_TYPE_MODULE_DESC, NULL, ZE_MODULE_FORMAT_IL_SPIRV, (size_t)n, il, f, NULL};
    ze_module_handle_t module = NULL;
    ze_module_build_log_handle_t log = NULL;
    ze_result_t r = a->zeModuleCreate(H(ze_context_handle_t, ctx), H(ze_device_handle_t, device), &d, &module, &log);
    (*env)->ReleaseStringUTFChars(env, flags, f);
    free(il);
    if (r != ZE_RESULT_SUCCESS) {
        char *text = NULL;
        size_t size = 0;
        if (log != NULL && a->zeModuleBuildLogGetString(log, &size, NULL) == ZE_RESULT_SUCCESS && size > 0) {
            text = calloc(size + 1, 1);
            if (text != NULL && a->zeModuleBuildLogGetString(log, &size, text) != ZE_RESULT_SUCCESS) {
                text[0] = '\0';
            }
        }
        throw_ze(env, "zeModuleCreate", r, text != NULL && text[0] != '\0' ? text : "(the driver gave no build log)");
        free(text);
    }
    if (log != NULL) {
        a->zeModuleBuildLogDestroy(log);
    }
    return r == ZE_RESULT_SUCCESS ? J(module) : 0;
}

JNIEXPORT void JNICALL Java_dev_attn4j_xpu_ZeNative_moduleDestroy(JNIEnv *env, jclass cls, jlong api, jlong module) {
    (void)cls;
    ok(env, "zeModuleDestroy", API(api)->zeModuleDestroy(H(ze_module_handle_t, module)));
}

JNIEXPORT jlong JNICALL Java_dev_attn4j_xpu_ZeNative_kernelCreate(JNIEnv *env, jclass cls, jlong api, jlong module,
                                                                     jstring name) {
    (void)cls;
    const char *n = (*env)->GetStringUTFChars(env, name, NULL);
    ze_kernel_desc_t d = {ZE_STRUCTURE_TYPE_KERNEL_DESC, NULL, 0, n};
    ze_kernel_handle_t k = NULL;
    ze_result_t r = API(api)->zeKernelCreate(H(ze_module_handle_t, module), &d, &k);
    char call[160];
    snprintf(call, sizeof call, "zeKernelCreate(%s)", n);
    (*env)->ReleaseStringUTFChars(env, name, n);
    return ok(env, call, r) ? J(k) : 0;
}

JNIEXPORT void JNICALL Java_dev_attn4j_xpu_ZeNative_kernelDestroy(JNIEnv *env, jclass cls, jlong api, jlong kernel) {
    (void)cls;
    ok(env, "zeKernelDestroy", API(api)->zeKernelDestroy(H(ze_kernel_handle_t, kernel)));
}

/* An argument of size 4 or 8 bytes given as the low bytes of bits (pointers, ints, float bits). */
JNIEXPORT void JNICALL Java_dev_attn4j_xpu_ZeNative_setArg(JNIEnv *env, jclass cls, jlong api, jlong kernel,
                                                              jint index, jint size, jlong bits) {
    (void)cls;
    uint32_t v32 = (uint32_t)bits;
    uint64_t v64 = (uint64_t)bits;
    const void *value = size == 4 ? (const void *)&v32 : (const void *)&v64;
    ok(env, "zeKernelSetArgumentValue",
       API(api)->zeKernelSetArgumentValue(H(ze_kernel_handle_t, kernel), (uint32_t)index, (size_t)size, value));
}

JNIEXPORT void JNICALL Java_dev_attn4j_xpu_ZeNative_launch(JNIEnv *env, jclass cls, jlong api, jlong q, jlong kernel,
                                                              jint group_size, jint groups) {
    (void)cls;
    ze_api *a = API(api);
    queue *qq = H(queue *, q);
    ze_kernel_handle_t k = H(ze_kernel_handle_t, kernel);
    ze_group_count_t count = {(uint32_t)groups, 1, 1};
    if (ok(env, "zeKernelSetGroupSize", a->zeKernelSetGroupSize(k, (uint32_t)group_size, 1, 1))
        && ok(env, "zeCommandListAppendLaunchKernel", a->zeCommandListAppendLaunchKernel(qq->list, k, &count, NULL, 0, NULL))) {
        barrier(env, a, qq);
    }
}
