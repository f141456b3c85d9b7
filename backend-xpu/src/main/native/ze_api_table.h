/*
 * The Level Zero entry points attn4j uses, resolved with dlsym from a loader library that
 * ze_api_table.c dlopens at run time (libze_loader.so.1 by default): nothing Intel is linked at
 * build time, so the shim loads on any Linux machine and the probe can say exactly what is
 * missing. Types come from the Level Zero headers (Debian's libze-dev).
 */
#ifndef ATTN4J_ZE_API_TABLE_H
#define ATTN4J_ZE_API_TABLE_H

#include <level_zero/ze_api.h>

/* X-macro: (name, parameter list). Every entry becomes a function pointer field of ze_api. */
#define ATTN4J_ZE_FUNCTIONS(X)                                                                       \
    X(zeInit, (ze_init_flags_t))                                                                     \
    X(zeDriverGet, (uint32_t *, ze_driver_handle_t *))                                               \
    X(zeDriverGetApiVersion, (ze_driver_handle_t, ze_api_version_t *))                               \
    X(zeDeviceGet, (ze_driver_handle_t, uint32_t *, ze_device_handle_t *))                           \
    X(zeDeviceGetProperties, (ze_device_handle_t, ze_device_properties_t *))                         \
    X(zeDeviceGetComputeProperties, (ze_device_handle_t, ze_device_compute_properties_t *))          \
    X(zeDeviceGetMemoryProperties, (ze_device_handle_t, uint32_t *, ze_device_memory_properties_t *)) \
    X(zeDeviceGetCommandQueueGroupProperties,                                                        \
      (ze_device_handle_t, uint32_t *, ze_command_queue_group_properties_t *))                       \
    X(zeContextCreate, (ze_driver_handle_t, const ze_context_desc_t *, ze_context_handle_t *))       \
    X(zeContextDestroy, (ze_context_handle_t))                                                       \
    X(zeCommandListCreateImmediate, (ze_context_handle_t, ze_device_handle_t,                        \
                                     const ze_command_queue_desc_t *, ze_command_list_handle_t *))   \
    X(zeCommandListDestroy, (ze_command_list_handle_t))                                              \
    X(zeCommandListAppendMemoryCopy, (ze_command_list_handle_t, void *, const void *, size_t,        \
                                      ze_event_handle_t, uint32_t, ze_event_handle_t *))             \
    X(zeCommandListAppendMemoryFill, (ze_command_list_handle_t, void *, const void *, size_t, size_t, \
                                      ze_event_handle_t, uint32_t, ze_event_handle_t *))             \
    X(zeCommandListAppendBarrier, (ze_command_list_handle_t, ze_event_handle_t, uint32_t,            \
                                   ze_event_handle_t *))                                             \
    X(zeCommandListAppendLaunchKernel, (ze_command_list_handle_t, ze_kernel_handle_t,                \
                                        const ze_group_count_t *, ze_event_handle_t, uint32_t,       \
                                        ze_event_handle_t *))                                        \
    X(zeEventPoolCreate, (ze_context_handle_t, const ze_event_pool_desc_t *, uint32_t,               \
                          ze_device_handle_t *, ze_event_pool_handle_t *))                           \
    X(zeEventPoolDestroy, (ze_event_pool_handle_t))                                                  \
    X(zeEventCreate, (ze_event_pool_handle_t, const ze_event_desc_t *, ze_event_handle_t *))         \
    X(zeEventDestroy, (ze_event_handle_t))                                                           \
    X(zeEventHostSynchronize, (ze_event_handle_t, uint64_t))                                         \
    X(zeEventHostReset, (ze_event_handle_t))                                                         \
    X(zeMemAllocDevice, (ze_context_handle_t, const ze_device_mem_alloc_desc_t *, size_t, size_t,    \
                         ze_device_handle_t, void **))                                               \
    X(zeMemAllocHost, (ze_context_handle_t, const ze_host_mem_alloc_desc_t *, size_t, size_t, void **)) \
    X(zeMemFree, (ze_context_handle_t, void *))                                                      \
    X(zeModuleCreate, (ze_context_handle_t, ze_device_handle_t, const ze_module_desc_t *,            \
                       ze_module_handle_t *, ze_module_build_log_handle_t *))                        \
    X(zeModuleDestroy, (ze_module_handle_t))                                                         \
    X(zeModuleBuildLogGetString, (ze_module_build_log_handle_t, size_t *, char *))                   \
    X(zeModuleBuildLogDestroy, (ze_module_build_log_handle_t))                                       \
    X(zeKernelCreate, (ze_module_handle_t, const ze_kernel_desc_t *, ze_kernel_handle_t *))          \
    X(zeKernelDestroy, (ze_kernel_handle_t))                                                         \
    X(zeKernelSetArgumentValue, (ze_kernel_handle_t, uint32_t, size_t, const void *))                \
    X(zeKernelSetGroupSize, (ze_kernel_handle_t, uint32_t, uint32_t, uint32_t))

#define ATTN4J_ZE_FIELD(name, params) ze_result_t (*name) params;

/* One opened loader: its dlopen handle and every entry point. */
typedef struct ze_api {
    void *library;
    ATTN4J_ZE_FUNCTIONS(ATTN4J_ZE_FIELD)
} ze_api;

/*
 * Opens a loader library and resolves every entry point. Returns the table, or NULL with a
 * message in err (what dlopen said, or the first entry point the library lacks).
 */
ze_api *attn4j_ze_open(const char *library, char *err, size_t err_size);

/* Closes the library and frees the table. */
void attn4j_ze_close(ze_api *api);

/* The name of a ze_result_t, e.g. "ZE_RESULT_ERROR_UNINITIALIZED"; "ZE_RESULT_<hex>" if unknown. */
const char *attn4j_ze_result_name(ze_result_t r, char *buf, size_t buf_size);

#endif
